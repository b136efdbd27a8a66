"""Calls recorded through the management API, read, downloaded and searched through the official SDK;
Fin Voice registrations matched to the calls that follow."""

from __future__ import annotations

import base64

import httpx
import pytest
from intercom import Intercom
from intercom.unstable.errors import NotFoundError
from intercom.unstable.types import RegisterFinVoiceCallRequest

from tests.support.contract import _schema_validator
from tests.support.live import LiveServer, Workspace, validating_hooks
from tests.support.setup import assert_error, management, setup

RECORDING = b"RIFF\x00\x00\x00\x00WAVEfmt fake-audio"
TRANSCRIPT = [
    {"offset": 3, "speaker": "Teammate 1", "text": "Hello, thanks for calling."},
    {"offset": 3671, "speaker": "User", "text": "My parcel never arrived."},
]


def contact(workspace: Workspace) -> dict:
    return workspace.http.post("/contacts", json={"role": "user", "email": "caller@example.com"}).json()


def record_call(server: LiveServer, workspace: Workspace, **body: object) -> dict:
    return setup(server, workspace, "POST", "calls", {"phone": "+15551234567", **body})


def full_call(server: LiveServer, workspace: Workspace, contact_id: str) -> dict:
    recording = {"name": "call.wav", "content_type": "audio/wav", "data": base64.b64encode(RECORDING).decode()}
    return record_call(
        server,
        workspace,
        contact_id=contact_id,
        initiated_at=1734537437,
        answered_at=1734537440,
        ended_at=1734537530,
        ended_reason="completed",
        recording=recording,
        transcript=TRANSCRIPT,
    )


class TestCalls:
    def test_list_and_show(self, server: LiveServer, workspace: Workspace, client) -> None:
        assert client.unstable.calls.list_calls().total_count == 0
        caller = contact(workspace)
        call = full_call(server, workspace, caller["id"])
        shown = client.unstable.calls.show_call(id=call["id"])
        assert shown.contact_id == caller["id"]
        assert shown.state == "completed"
        assert shown.direction == "inbound"
        assert shown.recording_url == f"{server.base_url}/calls/{call['id']}/recording"
        assert shown.transcription_url == f"{server.base_url}/calls/{call['id']}/transcript"
        # The call carries the phone-call conversation Intercom opens for the caller.
        conversation = client.unstable.conversations.retrieve_conversation(id=shown.conversation_id)
        assert conversation.source.type == "phone_call"
        assert "My parcel never arrived." in conversation.source.body
        bare = record_call(server, workspace)
        assert bare["conversation_id"] is None
        assert bare["recording_url"] is None
        listed = client.unstable.calls.list_calls(per_page=1)
        assert listed.total_count == 2
        assert listed.pages.total_pages == 2
        assert [c.id for c in listed.data] == [bare["id"]]
        past_end = workspace.http.get("/calls", params={"page": 3}).json()
        assert past_end["data"] == []
        with pytest.raises(NotFoundError):
            client.unstable.calls.show_call(id="999999")

    def test_recording_redirects_to_the_file(self, server: LiveServer, workspace: Workspace) -> None:
        call = full_call(server, workspace, contact(workspace)["id"])
        redirect = workspace.http.get(f"/calls/{call['id']}/recording")
        assert redirect.status_code == 302
        following = Intercom(
            token=workspace.token,
            base_url=workspace.base_url,
            httpx_client=httpx.Client(event_hooks=validating_hooks(), follow_redirects=True, timeout=30),
        )
        following.unstable.calls.show_call_recording(id=call["id"])
        assert httpx.get(redirect.headers["location"]).content == RECORDING
        bare = record_call(server, workspace)
        assert_error(workspace.http.get(f"/calls/{bare['id']}/recording"), 404, "not_found", "Recording Not Found")

    def test_transcript_is_a_text_attachment(self, server: LiveServer, workspace: Workspace, client) -> None:
        call = full_call(server, workspace, contact(workspace)["id"])
        text = client.unstable.calls.show_call_transcript(id=call["id"])
        assert (
            text == '[00:00:03] Teammate 1: "Hello, thanks for calling."\n[01:01:11] User: "My parcel never arrived."'
        )
        raw = workspace.http.get(f"/calls/{call['id']}/transcript")
        assert raw.headers["content-type"].startswith("text/plain")
        assert raw.headers["content-disposition"] == "attachment; filename=transcription_data-2024-12-18.txt"
        bare = record_call(server, workspace)
        assert_error(workspace.http.get(f"/calls/{bare['id']}/transcript"), 404, "not_found", "Not Found")

    def test_search_by_conversation(self, server: LiveServer, workspace: Workspace, client) -> None:
        call = full_call(server, workspace, contact(workspace)["id"])
        found = client.unstable.calls.list_calls_with_transcripts(conversation_ids=[call["conversation_id"], "404"])
        assert [c.id for c in found.data] == [call["id"]]
        raw = workspace.http.post("/calls/search", json={"conversation_ids": [call["conversation_id"]]}).json()
        assert raw["data"][0]["transcript"] == TRANSCRIPT
        assert raw["data"][0]["transcript_status"] == "completed"
        too_many = workspace.http.post("/calls/search", json={"conversation_ids": [str(i) for i in range(21)]})
        assert_error(too_many, 400, "conversation_id_limit_exceeded")
        assert_error(workspace.http.post("/calls/search", json={}), 400, "conversation_id_limit_exceeded")

    def test_set_up_is_validated(self, server: LiveServer, workspace: Workspace) -> None:
        base = f"/workspaces/{workspace.id}/calls"
        assert_error(management(server, "POST", base, json={"phone": "555"}), 400, "parameter_invalid")
        unknown = management(server, "POST", base, json={"phone": "+15551234567", "contact_id": "nope"})
        assert_error(unknown, 400, "parameter_invalid")
        assert_error(workspace.http.get("/calls/²"), 404, "not_found")


class TestFinVoice:
    def test_register_match_and_collect(self, server: LiveServer, workspace: Workspace, client) -> None:
        registered = client.unstable.calls.register_fin_voice_call(
            request=RegisterFinVoiceCallRequest(
                phone_number="+15557654321", call_id="five9-abc", source="five9", data={"queue": "billing"}
            )
        )
        assert registered.status == "registered"
        assert registered.intercom_call_id is None
        assert registered.app_id == int(workspace.id, 36)
        duplicate = workspace.http.post(
            "/fin_voice/register", json={"phone_number": "+15557654321", "call_id": "five9-abc"}
        )
        assert_error(duplicate, 409, "conflict")
        with pytest.raises(NotFoundError):
            client.unstable.calls.collect_fin_voice_call_by_id(id=registered.id)
        caller = contact(workspace)
        call = record_call(server, workspace, phone="+15557654321", contact_id=caller["id"], transcript=TRANSCRIPT)
        matched = client.unstable.calls.collect_fin_voice_call_by_id(id=registered.id)
        assert matched.status == "resolved"
        assert matched.intercom_call_id == call["id"]
        assert matched.intercom_conversation_id == call["conversation_id"]
        assert matched.call_transcript == TRANSCRIPT
        by_external = client.unstable.calls.collect_fin_voice_call_by_external_id(external_id="five9-abc")
        assert by_external.id == registered.id
        # The spec declares no 200 answer for this one: checked by hand against ai_call_response.
        by_phone = httpx.get(
            f"{workspace.base_url}/fin_voice/phone_number/+15557654321",
            headers={"Authorization": f"Bearer {workspace.token}"},
        )
        schema = _schema_validator({"$ref": "#/components/schemas/ai_call_response"})
        assert list(schema.iter_errors(by_phone.json())) == []
        assert by_phone.json()["external_call_id"] == "five9-abc"
        by_conversation = workspace.http.get(f"/fin_voice/conversation/{call['conversation_id']}").json()
        assert [r["id"] for r in by_conversation] == [registered.id]

    def test_register_needs_phone_and_call_id(self, workspace: Workspace) -> None:
        assert_error(workspace.http.post("/fin_voice/register", json={"call_id": "x"}), 400, "parameter_not_found")
        assert_error(
            workspace.http.post("/fin_voice/register", json={"phone_number": "+15557654321"}),
            400,
            "parameter_not_found",
        )
        bad_source = {"phone_number": "+15557654321", "call_id": "x", "source": "skype"}
        assert_error(workspace.http.post("/fin_voice/register", json=bad_source), 400, "parameter_invalid")
        assert_error(workspace.http.get("/fin_voice/external_id/unknown"), 404, "not_found")

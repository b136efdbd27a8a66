from __future__ import annotations

from typing import Any

import msgspec

from tidings.core.schemas import UNSET, Request, UnsetType


class CallOut(msgspec.Struct):
    id: str
    conversation_id: str | None
    admin_id: str | None
    contact_id: str | None
    state: str
    initiated_at: int
    # `datetime` in the spec is not nullable: a call not answered (or not ended) leaves the key out.
    answered_at: int | UnsetType
    ended_at: int | UnsetType
    created_at: int
    updated_at: int
    recording_url: str | None
    transcription_url: str | None
    call_type: str
    direction: str
    ended_reason: str | None
    phone: str | None
    fin_recording_url: str | None
    fin_transcription_url: str | None
    type: str = "call"


class CallPages(msgspec.Struct):
    page: int
    per_page: int
    total_pages: int
    type: str = "pages"


class CallList(msgspec.Struct):
    data: list[CallOut]
    total_count: int
    pages: CallPages
    type: str = "list"


class CallWithTranscript(CallOut, kw_only=True):
    transcript: list[dict[str, Any]]
    transcript_status: str | None


class CallsWithTranscripts(msgspec.Struct):
    data: list[CallWithTranscript]
    type: str = "list"


class SearchCalls(Request):
    conversation_ids: list[str] | UnsetType = UNSET


class TranscriptLine(Request):
    offset: int
    speaker: str
    text: str


class RecordingFile(Request):
    name: str
    content_type: str
    data: str


class CreateCall(Request):
    """A call as Intercom's phone system records it (management API)."""

    phone: str
    direction: str = "inbound"
    call_type: str = "phone"
    state: str = "completed"
    ended_reason: str | None = None
    contact_id: str | None = None
    admin_id: int | None = None
    # The call's conversation; when absent and the call has a contact, a `phone_call` conversation is opened.
    conversation_id: str | None = None
    initiated_at: int | None = None
    answered_at: int | None = None
    ended_at: int | None = None
    recording: RecordingFile | None = None
    transcript: list[TranscriptLine] | None = None


class RegisterFinVoiceCall(Request):
    phone_number: str | UnsetType = UNSET
    call_id: str | UnsetType = UNSET
    source: str = "aws_connect"
    data: dict[str, Any] | None = None


class AiCallOut(msgspec.Struct):
    id: int
    app_id: int
    user_phone_number: str
    status: str
    intercom_call_id: str | None
    external_call_id: str
    intercom_conversation_id: str | None
    call_transcript: list[dict[str, Any]]
    call_summary: str
    intent: list[dict[str, Any]]

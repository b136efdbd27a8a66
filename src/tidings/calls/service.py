from __future__ import annotations

import html
import time
from typing import Any

from tidings.admins import storage as admin_storage
from tidings.calls import storage
from tidings.calls.schemas import (
    AiCallOut,
    CallList,
    CallOut,
    CallsWithTranscripts,
    CallWithTranscript,
    CreateCall,
    RegisterFinVoiceCall,
    SearchCalls,
)
from tidings.contacts import storage as contact_storage
from tidings.conversations import engine as conversations
from tidings.conversations import storage as conversation_storage
from tidings.core import clock
from tidings.core.errors import (
    CONFLICT,
    CONVERSATION_ID_LIMIT_EXCEEDED,
    TidingsError,
    found,
    invalid,
    missing,
    not_found,
)
from tidings.core.ids import parse_numeric_id
from tidings.core.paging import Pages, total_pages
from tidings.core.phone import is_e164
from tidings.core.schemas import UNSET
from tidings.core.uow import UnitOfWork
from tidings.core.workspaces import numeric_app_id
from tidings.uploads import service as uploads

PER_PAGE = 25
SEARCH_LIMIT = 20
DIRECTIONS = ("inbound", "outbound")
FIN_VOICE_SOURCES = ("five9", "zoom_phone", "aws_connect")
TRANSCRIPT_LIMIT = 2000
WORD_LIMIT = 255


def call_not_found(message: str = "Not Found") -> TidingsError:
    return not_found(message)


def call_out(row: Any, base_url: str) -> CallOut:
    return CallOut(**_call_fields(row, base_url))


def _call_fields(row: Any, base_url: str) -> dict[str, Any]:
    url = f"{base_url}/calls/{row['id']}"
    return {
        "id": str(row["id"]),
        "conversation_id": str(row["conversation_id"]) if row["conversation_id"] is not None else None,
        "admin_id": str(row["admin_id"]) if row["admin_id"] is not None else None,
        "contact_id": row["contact_id"],
        "state": row["state"],
        "initiated_at": row["initiated_at"],
        "answered_at": row["answered_at"] if row["answered_at"] is not None else UNSET,
        "ended_at": row["ended_at"] if row["ended_at"] is not None else UNSET,
        "created_at": row["created_at"],
        "updated_at": row["updated_at"],
        "recording_url": f"{url}/recording" if row["recording_file_url"] else None,
        "transcription_url": f"{url}/transcript" if row["transcript"] else None,
        "call_type": row["call_type"],
        "direction": row["direction"],
        "ended_reason": row["ended_reason"],
        "phone": row["phone"],
        # Fin's own leg of a call is a separate recording in Intercom; tidings' calls have none.
        "fin_recording_url": None,
        "fin_transcription_url": None,
    }


async def _row(uow: UnitOfWork, call_id: str) -> Any:
    numeric = parse_numeric_id(call_id)
    row = found(await storage.get_call(uow, numeric) if numeric else None, call_not_found())
    return row


async def list_page(uow: UnitOfWork, page: int | None, per_page: int | None, base_url: str) -> CallList:
    size = min(max(per_page or PER_PAGE, 1), PER_PAGE)
    number = max(page or 1, 1)
    total = await storage.count_calls(uow)
    rows = await storage.page_of_calls(uow, (number - 1) * size, size) if number < 2**31 else []
    pages = Pages(page=number, per_page=size, total_pages=total_pages(total, size))
    return CallList(data=[call_out(r, base_url) for r in rows], total_count=total, pages=pages)


async def get(uow: UnitOfWork, call_id: str, base_url: str) -> CallOut:
    return call_out(await _row(uow, call_id), base_url)


async def recording_location(uow: UnitOfWork, call_id: str) -> str:
    numeric = parse_numeric_id(call_id)
    row = await storage.get_call(uow, numeric) if numeric else None
    if row is None or not row["recording_file_url"]:
        raise call_not_found("Recording Not Found")
    return row["recording_file_url"]


def _clock_time(seconds: int) -> str:
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


async def transcript_file(uow: UnitOfWork, call_id: str) -> tuple[str, str]:
    """The transcript as Intercom's text file (`[HH:MM:SS] Speaker: "text"` lines) and its file name."""
    row = await _row(uow, call_id)
    if not row["transcript"]:
        raise call_not_found()
    lines = [f'[{_clock_time(e["offset"])}] {e["speaker"]}: "{e["text"]}"' for e in row["transcript"]]
    day = time.strftime("%Y-%m-%d", time.gmtime(row["initiated_at"]))
    return "\n".join(lines), f"transcription_data-{day}.txt"


async def search(uow: UnitOfWork, data: SearchCalls, base_url: str) -> CallsWithTranscripts:
    ids = data.conversation_ids if data.conversation_ids is not UNSET else []
    if not ids or len(ids) > SEARCH_LIMIT:
        raise CONVERSATION_ID_LIMIT_EXCEEDED()
    numeric = [n for n in (parse_numeric_id(i) for i in ids) if n is not None]
    rows = await storage.calls_of_conversations(uow, numeric) if numeric else []
    return CallsWithTranscripts(
        data=[
            CallWithTranscript(
                **_call_fields(row, base_url),
                transcript=list(row["transcript"] or []),
                transcript_status="completed" if row["transcript"] else None,
            )
            for row in rows
        ]
    )


def _transcript_html(data: CreateCall) -> str:
    lines = [f"<p>{html.escape(e.speaker)}: {html.escape(e.text)}</p>" for e in data.transcript or []]
    direction = "Inbound" if data.direction == "inbound" else "Outbound"
    return f"<p>{direction} phone call with {html.escape(data.phone)}</p>" + "".join(lines)


async def _check_call(uow: UnitOfWork, data: CreateCall) -> None:
    if not is_e164(data.phone):
        raise invalid("phone must be an E.164 number", "phone")
    if data.direction not in DIRECTIONS:
        raise invalid("direction must be inbound or outbound", "direction")
    for name in ("state", "call_type", "ended_reason"):
        value = getattr(data, name)
        if value is not None and not 0 < len(value) <= 64:
            raise invalid(f"{name} must be 1 to 64 characters", name)
    if data.transcript is not None and len(data.transcript) > TRANSCRIPT_LIMIT:
        raise invalid(f"transcript takes at most {TRANSCRIPT_LIMIT} lines", "transcript")
    for line in data.transcript or []:
        if not 0 <= line.offset < 86_400 * 7 or not 0 < len(line.speaker) <= WORD_LIMIT:
            raise invalid("transcript lines need an offset in seconds and a speaker", "transcript")
    if data.contact_id is not None and await contact_storage.find_contact(uow, id=data.contact_id) is None:
        raise invalid(f"contact {data.contact_id} not found", "contact_id")
    if data.admin_id is not None and await admin_storage.get_admin(uow, data.admin_id) is None:
        raise invalid(f"admin {data.admin_id} not found", "admin_id")


async def _conversation_of(uow: UnitOfWork, data: CreateCall, initiated_at: int) -> int | None:
    if data.conversation_id is not None:
        numeric = parse_numeric_id(data.conversation_id)
        row = found(
            await conversation_storage.get_conversation(uow, numeric) if numeric else None,
            invalid(f"conversation {data.conversation_id} not found", "conversation_id"),
        )
        return int(row["id"])
    if data.contact_id is None:
        return None
    # Intercom opens a phone-call conversation for the caller; its body carries the transcript,
    # so conversation search finds calls by what was said.
    contact = await contact_storage.find_contact(uow, id=data.contact_id)
    author = (
        conversations.Author.contact(contact["id"], contact["role"])
        if data.direction == "inbound" or data.admin_id is None
        else conversations.Author.admin(data.admin_id)
    )
    return await conversations.start_conversation(
        uow,
        contact_id=contact["id"],
        body=_transcript_html(data),
        author=author,
        created_at=initiated_at,
        source_type="phone_call",
    )


async def create(uow: UnitOfWork, data: CreateCall, base_url: str) -> CallOut:
    await _check_call(uow, data)
    now = clock.now()
    initiated_at = data.initiated_at or now
    recording_url = None
    if data.recording is not None:
        file = uploads.decode_file(data.recording.name, data.recording.content_type, data.recording.data, "recording")
        recording_url = await uploads.store(uow, file, base_url)
    conversation_id = await _conversation_of(uow, data, initiated_at)
    call_id = await storage.insert_call(
        uow,
        {
            "conversation_id": conversation_id,
            "admin_id": data.admin_id,
            "contact_id": data.contact_id,
            "state": data.state,
            "call_type": data.call_type,
            "direction": data.direction,
            "ended_reason": data.ended_reason,
            "phone": data.phone,
            "initiated_at": initiated_at,
            "answered_at": data.answered_at,
            "ended_at": data.ended_at,
            "recording_file_url": recording_url,
            "transcript": [{"offset": e.offset, "speaker": e.speaker, "text": e.text} for e in data.transcript or []]
            or None,
            "created_at": now,
            "updated_at": now,
        },
    )
    await _match_registration(uow, data.phone, call_id)
    return call_out(await storage.get_call(uow, call_id), base_url)


# Fin Voice: an external telephony call registered with Intercom, matched to the Intercom call
# that later arrives from the same number.
async def _match_registration(uow: UnitOfWork, phone: str, call_id: int) -> None:
    registration = await storage.unmatched_registration(uow, phone)
    if registration is not None:
        await storage.update_fin_voice_call(uow, registration["id"], {"call_id": call_id})


async def _ai_call_out(uow: UnitOfWork, row: Any) -> AiCallOut:
    call = await storage.get_call(uow, row["call_id"]) if row["call_id"] is not None else None
    if call is None:
        status = "registered"
    else:
        status = "resolved" if call["state"] == "completed" else "in-progress"
    return AiCallOut(
        id=int(row["id"]),
        app_id=numeric_app_id(uow.workspace_id),
        user_phone_number=row["phone_number"],
        status=status,
        intercom_call_id=str(call["id"]) if call else None,
        external_call_id=row["external_call_id"],
        intercom_conversation_id=str(call["conversation_id"]) if call and call["conversation_id"] else None,
        call_transcript=list(call["transcript"] or []) if call else [],
        call_summary="",
        intent=[],
    )


async def register(uow: UnitOfWork, data: RegisterFinVoiceCall) -> AiCallOut:
    if data.phone_number is UNSET or not data.phone_number:
        raise missing("phone_number")
    if data.call_id is UNSET or not data.call_id:
        raise missing("call_id")
    if not is_e164(data.phone_number):
        raise invalid("phone_number must be an E.164 number", "phone_number")
    if len(data.call_id) > 255:
        raise invalid("call_id must be at most 255 characters", "call_id")
    if data.source not in FIN_VOICE_SOURCES:
        raise invalid("source must be one of: five9, zoom_phone, aws_connect", "source")
    await uow.serialise("fin-voice", data.call_id)
    if await storage.fin_voice_call(uow, external_call_id=data.call_id) is not None:
        raise CONFLICT("Call already registered")
    registration_id = await storage.insert_fin_voice_call(
        uow,
        {
            "phone_number": data.phone_number,
            "external_call_id": data.call_id,
            "source": data.source,
            "data": data.data,
            "created_at": clock.now(),
        },
    )
    return await _ai_call_out(uow, await storage.fin_voice_call(uow, id=registration_id))


def _not_matched() -> TidingsError:
    return not_found("External reference not found or not matched")


async def _matched(uow: UnitOfWork, row: Any) -> AiCallOut:
    if row is None or row["call_id"] is None:
        raise _not_matched()
    return await _ai_call_out(uow, row)


async def collect_by_id(uow: UnitOfWork, registration_id: str) -> AiCallOut:
    numeric = parse_numeric_id(registration_id)
    return await _matched(uow, await storage.fin_voice_call(uow, id=numeric) if numeric else None)


async def collect_by_external_id(uow: UnitOfWork, external_id: str) -> AiCallOut:
    return await _matched(uow, await storage.fin_voice_call(uow, external_call_id=external_id))


async def collect_by_phone_number(uow: UnitOfWork, phone_number: str) -> AiCallOut:
    return await _matched(uow, await storage.fin_voice_call(uow, phone_number=phone_number))


async def collect_by_conversation(uow: UnitOfWork, conversation_id: str) -> list[AiCallOut]:
    numeric = parse_numeric_id(conversation_id)
    rows = await storage.fin_voice_calls_of_conversation(uow, numeric) if numeric else []
    return [await _ai_call_out(uow, row) for row in rows]

"""The inbox's pages and actions under /inbox (server-rendered; htmx swaps the fragments that change).

A request made by htmx (`HX-Request`) gets the fragment it targets; any other gets the whole page,
so every URL also works on its own (reload, open in a new tab). Actions are POSTs of forms carrying
the session's CSRF token; each calls the service the Intercom API calls.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.datastructures import Cookie, State
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, ServerSentEvent, Template

from tidings.admins import storage as admin_storage
from tidings.companies import storage as company_storage
from tidings.contacts import storage as contact_storage
from tidings.conversations import engine as conversation_engine
from tidings.conversations import service as conversations
from tidings.conversations import storage as conversation_storage
from tidings.conversations.schemas import (
    AttachTagRequest,
    ConvertRequest,
    ManageRequest,
    ReplyRequest,
    UpdateConversationRequest,
)
from tidings.core import clock
from tidings.core.errors import found, invalid, missing, not_found
from tidings.core.ids import parse_numeric_id
from tidings.core.uow import transaction
from tidings.inbox import auth, queries, thread
from tidings.inbox.deps import CSRF_FIELD, Inbox, InboxContext, read_form
from tidings.inbox.live import conversation_changes
from tidings.inbox.sanitise import text_to_html
from tidings.tags import service as tag_service
from tidings.tags import storage as tag_storage
from tidings.teams import storage as team_storage
from tidings.tickets import service as tickets
from tidings.tickets import storage as ticket_storage
from tidings.tickets.schemas import UpdateTicketRequest
from tidings.webhooks.sse import parse_last_event_id

LIVE_STREAM_SECONDS = 300
SNOOZE_PRESETS = {"1h": 3600, "4h": 4 * 3600, "1d": 86400, "1w": 7 * 86400}
RECENT_LIMIT = 5


def _is_htmx(request: Request[Any, Any, Any]) -> bool:
    return request.headers.get("hx-request") == "true"


def _session_cookie(request: Request[Any, Any, Any], value: str, max_age: int) -> Cookie:
    settings = request.app.state.settings
    return Cookie(
        key=auth.SESSION_COOKIE,
        value=value,
        path="/inbox",
        httponly=True,
        samesite="lax",
        secure=settings.base_url.startswith("https://"),
        max_age=max_age,
    )


def _page(request: Request[Any, Any, Any], inbox: InboxContext, name: str, **context: Any) -> Template:
    return Template(
        template_name=name,
        context={"me": inbox.session, "csrf_token": inbox.session.csrf_token, "htmx": _is_htmx(request), **context},
    )


def _conversation_id(value: str) -> int:
    numeric = found(parse_numeric_id(value), conversation_engine.conversation_not_found())
    return numeric


async def _list_context(inbox: InboxContext, selected: queries.ListFilter, before: str | None) -> dict[str, Any]:
    cursor = None
    if before:
        updated_at, _, conversation_id = before.partition("-")
        if not (updated_at.isdigit() and conversation_id.isdigit()):
            raise invalid("before must be a list cursor", "before")
        cursor = (int(updated_at), int(conversation_id))
    page = await queries.conversation_page(inbox.uow, selected, inbox.admin_id, await _team_ids(inbox), cursor)
    return {
        "rows": page.rows,
        "previews": page.previews,
        "row_contacts": page.contacts,
        "filter": selected,
        "next_cursor": f"{page.next_cursor[0]}-{page.next_cursor[1]}" if page.next_cursor else None,
    }


async def _team_ids(inbox: InboxContext) -> list[int]:
    """The teammate's teams, read once per request (the list and the sidebar both need them)."""
    if inbox.team_ids is None:
        inbox.team_ids = await queries.my_team_ids(inbox.uow, inbox.admin_id)
    return inbox.team_ids


async def _sidebar_context(inbox: InboxContext) -> dict[str, Any]:
    return {"counts": await queries.sidebar_counts(inbox.uow, inbox.admin_id, await _team_ids(inbox))}


async def _contact_panel(inbox: InboxContext, contact_ids: list[str]) -> dict[str, Any] | None:
    if not contact_ids:
        return None
    uow = inbox.uow
    contact = await contact_storage.get_contact(uow, contact_ids[0])
    if contact is None:
        return None
    recent_ids = uow.select(
        conversation_storage.conversation_contacts, conversation_storage.conversation_contacts.c.conversation_id
    ).where(conversation_storage.conversation_contacts.c.contact_id == contact["id"])
    recent, _ = await conversation_storage.conversations_page(
        uow, conversation_storage.conversations.c.id.in_(recent_ids), None, RECENT_LIMIT
    )
    t = ticket_storage.tickets.c
    contact_tickets = await uow.all(
        uow.select(ticket_storage.tickets)
        .where(t.contact_id == contact["id"])
        .order_by(t.id.desc())
        .limit(RECENT_LIMIT)
    )
    return {
        "contact": contact,
        "companies": await company_storage.companies_of(uow, [contact["id"]]),
        "tags": await contact_storage.tags_of(uow, [contact["id"]]),
        "recent": recent[:RECENT_LIMIT],
        "tickets": contact_tickets,
    }


async def _conversation_context(inbox: InboxContext, conversation_id: int) -> dict[str, Any]:
    uow = inbox.uow
    row = await conversation_engine.conversation_row(uow, conversation_id)
    items, people, contact_ids = await thread.build(uow, row)
    applied = (await conversation_storage.applied_tags_by_conversation(uow, [row["id"]])).get(row["id"], [])
    ticket_types = [
        t for t in await ticket_storage.list_types(uow) if t["category"] == "Customer" and not t["archived"]
    ]
    converted = await ticket_storage.conversion_of(uow, row["id"])
    return {
        "conversation": row,
        "state": "open" if row["state"] == "snoozed" and (row["snoozed_until"] or 0) <= clock.now() else row["state"],
        "items": items,
        "people": people,
        "applied_tags": applied,
        "admins": await admin_storage.list_admins(uow),
        "teams": await team_storage.list_teams(uow),
        "tags": await tag_storage.list_tags(uow),
        "ticket_types": ticket_types,
        "converted_ticket_id": converted["ticket_id"] if converted else None,
        "handed_over": await queries.is_handed_over(uow, row["id"]),
        "panel": await _contact_panel(inbox, contact_ids),
    }


class InboxAuthController(Controller):
    """Sign-in and sign-out: the only inbox routes open without a session."""

    path = "/inbox"
    include_in_schema = False

    @get("/login", operation_id="inboxLoginPage")
    async def login_page(self, request: Request[Any, Any, Any], error: FromQuery[str | None] = None) -> Template:
        token = request.cookies.get(auth.LOGIN_CSRF_COOKIE) or auth.secrets.token_urlsafe(24)
        return Template(
            template_name="login.html",
            context={"csrf_token": token, "error": error},
            cookies=[Cookie(key=auth.LOGIN_CSRF_COOKIE, value=token, path="/inbox", httponly=True, samesite="strict")],
        )

    @post("/login", operation_id="inboxLogin", status_code=303)
    async def login(self, request: Request[Any, Any, Any], state: State) -> Response[Any]:
        form = await read_form(request)
        auth.check_csrf(request.cookies.get(auth.LOGIN_CSRF_COOKIE) or "", form.get(CSRF_FIELD))
        async with transaction(state.storage) as tx:
            found = await auth.password_sign_in(tx, form.get("email", ""), form.get("password", ""))
            secret = await auth.open_session(tx, *found, state.settings.inbox_session_hours) if found else None
        if secret is None:
            return Redirect("/inbox/login", query_params={"error": "1"}, status_code=303)
        return self._signed_in(request, secret)

    @get("/login/{secret:str}", operation_id="inboxLoginLinkPage")
    async def login_link_page(self, request: Request[Any, Any, Any], secret: FromPath[str]) -> Template:
        """A confirmation page: link previewers that fetch the URL do not use the one-time link up."""
        token = request.cookies.get(auth.LOGIN_CSRF_COOKIE) or auth.secrets.token_urlsafe(24)
        return Template(
            template_name="login_link.html",
            context={"csrf_token": token, "secret": secret},
            cookies=[Cookie(key=auth.LOGIN_CSRF_COOKIE, value=token, path="/inbox", httponly=True, samesite="strict")],
        )

    @post("/login/{secret:str}", operation_id="inboxLoginLink", status_code=303)
    async def login_link(self, request: Request[Any, Any, Any], state: State, secret: FromPath[str]) -> Response[Any]:
        form = await read_form(request)
        auth.check_csrf(request.cookies.get(auth.LOGIN_CSRF_COOKIE) or "", form.get(CSRF_FIELD))
        async with transaction(state.storage) as tx:
            found = await auth.link_sign_in(tx, secret)
            session = await auth.open_session(tx, *found, state.settings.inbox_session_hours) if found else None
        if session is None:
            return Redirect("/inbox/login", query_params={"error": "link"}, status_code=303)
        return self._signed_in(request, session)

    @staticmethod
    def _signed_in(request: Request[Any, Any, Any], secret: str) -> Response[Any]:
        hours = request.app.state.settings.inbox_session_hours
        return Redirect("/inbox", status_code=303, cookies=[_session_cookie(request, secret, hours * 3600)])

    @post("/logout", operation_id="inboxLogout", status_code=303)
    async def logout(self, request: Request[Any, Any, Any], inbox: Inbox) -> Response[Any]:
        await auth.close_session(inbox.uow.tx, inbox.session)
        response = Redirect("/inbox/login", status_code=303, cookies=[_session_cookie(request, "", 0)])
        if _is_htmx(request):
            response.headers["HX-Redirect"] = "/inbox/login"
        return response


class InboxController(Controller):
    path = "/inbox"
    include_in_schema = False

    @get("/", operation_id="inboxHome")
    async def home(
        self,
        request: Request[Any, Any, Any],
        inbox: Inbox,
        assignee: FromQuery[str | None] = None,
        fin: FromQuery[str | None] = None,
        priority: FromQuery[str | None] = None,
        q: FromQuery[str | None] = None,
        before: FromQuery[str | None] = None,
    ) -> Template:
        selected = queries.ListFilter.parse(request.query_params.get("state"), assignee, fin, priority, q)
        listing = await _list_context(inbox, selected, before)
        if _is_htmx(request):
            # A next page or a live refresh swaps rows only; a new filter also redraws the header and sidebar.
            rows_only = bool(before) or request.query_params.get("rows") == "1"
            chrome = {} if rows_only else await _sidebar_context(inbox)
            return _page(request, inbox, "list.html", **listing, **chrome, filter_unchanged=rows_only)
        return _page(request, inbox, "inbox.html", **listing, **await _sidebar_context(inbox), selected_id=None)

    @get("/sidebar", operation_id="inboxSidebar")
    async def sidebar(self, request: Request[Any, Any, Any], inbox: Inbox) -> Template:
        selected = queries.ListFilter.parse(
            request.query_params.get("state"),
            request.query_params.get("assignee"),
            request.query_params.get("fin"),
            request.query_params.get("priority"),
            request.query_params.get("q"),
        )
        return _page(request, inbox, "sidebar.html", filter=selected, **await _sidebar_context(inbox))

    @get("/conversations/{conversation_id:str}", operation_id="inboxConversation", opt={"write": True})
    async def conversation(
        self, request: Request[Any, Any, Any], inbox: Inbox, conversation_id: FromPath[str]
    ) -> Template:
        numeric = _conversation_id(conversation_id)
        row = await conversation_engine.conversation_row(inbox.uow, numeric)
        if not row["read"]:
            # Opening a conversation reads it, as `PUT /conversations/{id}` with `read: true` does.
            await conversations.update(inbox.uow, str(numeric), UpdateConversationRequest(read=True), None)
        context = await _conversation_context(inbox, numeric)
        if _is_htmx(request):
            return _page(request, inbox, "conversation.html", **context)
        selected = queries.ListFilter()
        listing = await _list_context(inbox, selected, None)
        return _page(
            request, inbox, "inbox.html", **listing, **await _sidebar_context(inbox), selected_id=numeric, **context
        )

    @get("/conversations/{conversation_id:str}/thread", operation_id="inboxThread")
    async def thread_fragment(
        self, request: Request[Any, Any, Any], inbox: Inbox, conversation_id: FromPath[str]
    ) -> Template:
        context = await _conversation_context(inbox, _conversation_id(conversation_id))
        return _page(request, inbox, "thread_update.html", **context)

    @post("/conversations/{conversation_id:str}/{action:str}", operation_id="inboxAction", status_code=200)
    async def action(
        self, request: Request[Any, Any, Any], inbox: Inbox, conversation_id: FromPath[str], action: FromPath[str]
    ) -> Response[Any]:
        numeric = _conversation_id(conversation_id)
        handler = found(ACTIONS.get(action), not_found("Unknown action"))
        await handler(inbox, str(numeric))
        if not _is_htmx(request):
            return Redirect(f"/inbox/conversations/{numeric}", status_code=303)
        return _page(request, inbox, "conversation.html", **await _conversation_context(inbox, numeric))

    @get("/tickets", operation_id="inboxTickets")
    async def tickets_page(self, request: Request[Any, Any, Any], inbox: Inbox) -> Template:
        uow = inbox.uow
        t = ticket_storage.tickets.c
        rows = await uow.all(uow.select(ticket_storage.tickets).order_by(t.updated_at.desc(), t.id.desc()).limit(100))
        rendered = [msgspec.to_builtins(await tickets.get(uow, str(row["id"]))) for row in rows]
        return _page(request, inbox, "tickets.html", tickets=rendered, **await _sidebar_context(inbox), filter=None)

    @get("/tickets/{ticket_id:str}", operation_id="inboxTicket")
    async def ticket_page(self, request: Request[Any, Any, Any], inbox: Inbox, ticket_id: FromPath[str]) -> Template:
        return _page(request, inbox, "ticket_page.html", **await self._ticket_context(inbox, ticket_id))

    @post("/tickets/{ticket_id:str}/state", operation_id="inboxTicketState", status_code=200)
    async def ticket_state(
        self, request: Request[Any, Any, Any], inbox: Inbox, ticket_id: FromPath[str]
    ) -> Response[Any]:
        state_id = inbox.field("ticket_state_id")
        if not state_id:
            raise missing("ticket_state_id")
        await tickets.update(
            inbox.uow, ticket_id, UpdateTicketRequest(ticket_state_id=state_id, admin_id=str(inbox.admin_id))
        )
        if not _is_htmx(request):
            return Redirect(f"/inbox/tickets/{ticket_id}", status_code=303)
        return _page(request, inbox, "ticket_body.html", **await self._ticket_context(inbox, ticket_id))

    @staticmethod
    async def _ticket_context(inbox: InboxContext, ticket_id: str) -> dict[str, Any]:
        ticket = msgspec.to_builtins(await tickets.get(inbox.uow, ticket_id))
        type_id = int(ticket["ticket_type"]["id"])
        state_ids = set(await ticket_storage.state_ids_of_type(inbox.uow, type_id))
        states = [s for s in await ticket_storage.list_states(inbox.uow) if s["id"] in state_ids and not s["archived"]]
        admins = {str(a["id"]): a["name"] for a in await admin_storage.list_admins(inbox.uow)}
        return {
            "ticket": ticket,
            "states": states,
            "admin_names": admins,
            **await _sidebar_context(inbox),
            "filter": None,
        }

    @get("/events", operation_id="inboxEvents")
    async def events(self, request: Request[Any, Any, Any], inbox: Inbox, state: State) -> ServerSentEvent:
        """The workspace's conversation changes, live; EventSource reconnects (with Last-Event-ID) when it ends."""
        last_event_id = parse_last_event_id(request.headers.get("last-event-id"))
        stream = conversation_changes(state.storage, inbox.session.workspace_id, LIVE_STREAM_SECONDS, last_event_id)
        return ServerSentEvent(stream, headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})


# Actions: each reads its form fields and calls the service the Intercom API calls.
async def _reply(inbox: InboxContext, conversation_id: str, message_type: str) -> None:
    text = inbox.field("body").strip()
    if not text:
        raise missing("body")
    request = ReplyRequest(
        message_type=message_type, type="admin", admin_id=str(inbox.admin_id), body=text_to_html(text)
    )
    await conversations.reply(inbox.uow, conversation_id, request)


async def reply(inbox: InboxContext, conversation_id: str) -> None:
    await _reply(inbox, conversation_id, "comment")


async def note(inbox: InboxContext, conversation_id: str) -> None:
    await _reply(inbox, conversation_id, "note")


async def _manage(inbox: InboxContext, conversation_id: str, message_type: str, **fields: Any) -> None:
    request = ManageRequest(message_type=message_type, admin_id=str(inbox.admin_id), **fields)
    await conversations.manage(inbox.uow, conversation_id, request)


async def close(inbox: InboxContext, conversation_id: str) -> None:
    await _manage(inbox, conversation_id, "close")


async def reopen(inbox: InboxContext, conversation_id: str) -> None:
    await _manage(inbox, conversation_id, "open")


async def assign(inbox: InboxContext, conversation_id: str) -> None:
    """`assignee` is `admin:<id>`, `team:<id>`, `admin:0` (unassign) or `me`."""
    value = inbox.field("assignee")
    if value == "me":
        value = f"admin:{inbox.admin_id}"
    kind, _, assignee_id = value.partition(":")
    if kind not in ("admin", "team") or not assignee_id:
        raise invalid("assignee must be admin:<id> or team:<id>", "assignee")
    await _manage(inbox, conversation_id, "assignment", type=kind, assignee_id=assignee_id)


def _snooze_until(inbox: InboxContext) -> int:
    preset = inbox.field("preset")
    if preset in SNOOZE_PRESETS:
        return clock.now() + SNOOZE_PRESETS[preset]
    until = inbox.field("until")
    if not until:
        raise missing("until")
    try:
        moment = datetime.fromisoformat(until)
    except ValueError:
        raise invalid("until must be a date and time", "until") from None
    return int((moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp())


async def snooze(inbox: InboxContext, conversation_id: str) -> None:
    await _manage(inbox, conversation_id, "snoozed", snoozed_until=_snooze_until(inbox))


async def tag(inbox: InboxContext, conversation_id: str) -> None:
    """An existing tag (`tag_id`), or one found or created by `tag_name`."""
    tag_id = inbox.field("tag_id")
    name = inbox.field("tag_name").strip()
    if not tag_id and name:
        tag_id = str((await tag_service.find_or_create(inbox.uow, name))["id"])
    if not tag_id:
        raise missing("tag_id")
    await conversations.attach_tag(
        inbox.uow, conversation_id, AttachTagRequest(id=tag_id, admin_id=str(inbox.admin_id))
    )


async def priority(inbox: InboxContext, conversation_id: str) -> None:
    await conversations.set_priority(inbox.uow, conversation_id, inbox.field("priority"))


async def convert(inbox: InboxContext, conversation_id: str) -> None:
    from tidings.tickets_conversations.conversion import convert_conversation

    ticket_type_id = inbox.field("ticket_type_id")
    if not ticket_type_id:
        raise missing("ticket_type_id")
    await convert_conversation(inbox.uow, conversation_id, ConvertRequest(ticket_type_id=ticket_type_id))


ACTIONS = {
    "reply": reply,
    "note": note,
    "close": close,
    "reopen": reopen,
    "assign": assign,
    "snooze": snooze,
    "tag": tag,
    "priority": priority,
    "convert": convert,
}

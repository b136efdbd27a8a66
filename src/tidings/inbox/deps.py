"""The inbox's request context: the signed-in teammate's session, its unit of work and the posted form.

Every inbox page and action takes `inbox: InboxContext`. It resolves the session cookie (or sends
the browser to sign in), refuses a write whose form or `X-CSRF-Token` header lacks the session's
CSRF token, and opens one transaction scoped to the teammate's workspace, acting as them: actions
call the same services as the API with that unit of work, so events, webhooks and the custom
channel follow as they do for an API call.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from dataclasses import dataclass
from typing import Any, TypeAlias

from litestar import Request
from litestar.di import NamedDependency

from tidings.core.deps import READ_METHODS
from tidings.core.errors import invalid
from tidings.core.uow import UnitOfWork
from tidings.inbox.auth import SESSION_COOKIE, InboxSession, check_csrf, resolve_session, session_in

CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
MAX_FIELD_LENGTH = 100_000


class SignInRequired(Exception):
    """No live session: the browser is sent to the sign-in page."""


@dataclass(slots=True)
class InboxContext:
    session: InboxSession
    uow: UnitOfWork
    form: dict[str, str]
    team_ids: list[int] | None = None  # the teammate's teams, once read (routes._team_ids)

    @property
    def admin_id(self) -> int:
        return self.session.admin_id

    def field(self, name: str, default: str = "") -> str:
        return self.form.get(name, default)


Inbox: TypeAlias = NamedDependency[InboxContext]


async def read_form(request: Request[Any, Any, Any]) -> dict[str, str]:
    form = await request.form()
    values: dict[str, str] = {}
    for name, value in form.items():
        if not isinstance(value, str):
            continue
        if len(value) > MAX_FIELD_LENGTH:
            raise invalid(f"{name} is too long", name)
        if "\x00" in value:
            raise invalid(f"{name} holds a NUL character", name)
        values[name] = value
    return values


async def provide_inbox(request: Request[Any, Any, Any]) -> AsyncGenerator[InboxContext, None]:
    state = request.app.state
    secret = request.cookies.get(SESSION_COOKIE)
    write = request.method not in READ_METHODS or bool(request.route_handler.opt.get("write"))
    form: dict[str, str] = {}
    if request.method in READ_METHODS:
        # A page: the session is read in the page's own transaction (one round trip, not a
        # transaction of its own: under load each round trip costs a scheduling delay).
        tx = await state.storage.begin(write)
        try:
            session = await session_in(tx, secret)
        except BaseException:
            await tx.rollback()
            raise
        if session is None:
            await tx.rollback()
            raise SignInRequired()
    else:
        # A form: the session is checked before its body is read, and the body is read before the
        # write transaction begins (on SQLite that takes the writer's lock).
        session = await resolve_session(state.storage, secret)
        if session is None:
            raise SignInRequired()
        form = await read_form(request)
        check_csrf(session.csrf_token, request.headers.get(CSRF_HEADER) or form.get(CSRF_FIELD))
        tx = await state.storage.begin(write)
    uow = UnitOfWork(tx=tx, workspace_id=session.workspace_id, admin_id=session.admin_id)
    try:
        yield InboxContext(session=session, uow=uow, form=form)
    except BaseException:
        await tx.rollback()
        raise
    await tx.commit()
    for hook in uow.after_commit:
        hook()

"""The server's clock: Unix seconds, as on Intercom's wire, per workspace.

A workspace's clock runs with real time unless the control plane (`tidings.control`) froze it or
moved it: then it reads `frozen_ms`, or real time plus `offset_ms`. The code serving a request
(or a background step on one workspace) reads the clock of the workspace it is bound to:
`UnitOfWork` binds it. The request's binding lives in a holder the ASGI layer puts in the context
first (`request_scope`), so it holds wherever Litestar resolves the dependency. Leases and
time-outs that are about processes, not about a workspace, read `real_ms()`.

The states are a process-wide registry, loaded from the `workspace_clocks` table at start-up and
updated by the control plane; `workspace_now_ms_sql` lets background queries read every
workspace's time in SQL.
"""

from __future__ import annotations

import time
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, func, literal, select

from tidings.core.tables import workspace_clocks


@dataclass(frozen=True, slots=True)
class ClockState:
    """A controlled clock: frozen at `frozen_ms`, or running `offset_ms` ahead of real time."""

    frozen_ms: int | None = None
    offset_ms: int = 0

    def now_ms(self, real: int) -> int:
        return self.frozen_ms if self.frozen_ms is not None else real + self.offset_ms


class RequestScope:
    """What the code serving one request is bound to: its workspace, once authenticated; and
    whether an injected fault asked for its connection to be dropped (`tidings.control.faults`)."""

    __slots__ = ("drop_connection", "workspace_id")

    def __init__(self) -> None:
        self.workspace_id: str | None = None
        self.drop_connection = False


_states: dict[str, ClockState] = {}
_scope: ContextVar[RequestScope | None] = ContextVar("tidings_request_scope", default=None)


def real_ms() -> int:
    return time.time_ns() // 1_000_000


def workspace_now_ms(workspace_id: str | None) -> int:
    real = real_ms()
    state = _states.get(workspace_id) if workspace_id is not None and _states else None
    return state.now_ms(real) if state is not None else real


def current_scope() -> RequestScope | None:
    return _scope.get()


def bound_workspace() -> str | None:
    scope = _scope.get()
    return scope.workspace_id if scope is not None else None


def now_ms() -> int:
    """The bound workspace's time in milliseconds (real time when nothing is bound or controlled)."""
    return workspace_now_ms(bound_workspace()) if _states else real_ms()


def now() -> int:
    return now_ms() // 1000


def request_scope() -> Any:
    """Open a fresh binding for one request or background step; returns the token to `release` it."""
    return _scope.set(RequestScope())


def release(token: Any) -> None:
    _scope.reset(token)


def bind(workspace_id: str) -> None:
    """Bind the current request (or, outside one, the current task) to `workspace_id`'s clock."""
    scope = _scope.get()
    if scope is None:
        scope = RequestScope()
        _scope.set(scope)
    scope.workspace_id = workspace_id


def state_of(workspace_id: str) -> ClockState | None:
    return _states.get(workspace_id)


def set_state(workspace_id: str, state: ClockState | None) -> None:
    if state is None:
        _states.pop(workspace_id, None)
    else:
        _states[workspace_id] = state


def load_states(states: dict[str, ClockState]) -> None:
    _states.clear()
    _states.update(states)


def workspace_now_ms_sql(workspace_id: ColumnElement[Any], real: int) -> ColumnElement[int]:
    """In SQL, the time of the workspace in `workspace_id` (a column), for queries across workspaces."""
    controlled = (
        select(func.coalesce(workspace_clocks.c.frozen_ms, literal(real) + workspace_clocks.c.offset_ms))
        .where(workspace_clocks.c.workspace_id == workspace_id)
        .scalar_subquery()
    )
    return func.coalesce(controlled, real)


def iso_seconds(ts: int) -> str:
    """`2025-11-15T09:30:00Z`: the ISO form data connectors and workflow exports use."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ts))


def iso_millis(ts: int) -> str:
    """`2025-07-17T11:18:08.000Z`: the ISO form macros use."""
    return time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(ts))


def iso_offset(ts: int) -> str:
    """`2014-01-16T23:12:21.000+00:00`: the ISO form data-event summaries use."""
    return time.strftime("%Y-%m-%dT%H:%M:%S.000+00:00", time.gmtime(ts))

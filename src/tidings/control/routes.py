"""The control plane under /_tidings/v1/workspaces/{ws}/: clock, ..."""

from __future__ import annotations

from litestar import Controller, get, post
from litestar.datastructures import State
from litestar.di import Provide
from litestar.params import JSONBody

from tidings.control import clock as clock_control
from tidings.control.deps import ControlledWorkspace, provide_workspace
from tidings.control.schemas import AdvanceClock, ClockOut, FreezeClock
from tidings.core import clock
from tidings.management.routes import PREFIX


def clock_out(workspace_id: str) -> ClockOut:
    state = clock.state_of(workspace_id)
    now_ms = clock.workspace_now_ms(workspace_id)
    frozen = state is not None and state.frozen_ms is not None
    offset = now_ms - clock.real_ms() if frozen else (state.offset_ms if state is not None else 0)
    return ClockOut(now=now_ms // 1000, now_ms=now_ms, frozen=frozen, offset_ms=offset)


class ClockController(Controller):
    path = PREFIX + "/workspaces/{ws:str}/clock"
    dependencies = {"workspace": Provide(provide_workspace)}
    tags = ["Control plane"]

    @get("/", operation_id="tidingsGetClock")
    async def get_clock(self, workspace: ControlledWorkspace) -> ClockOut:
        return clock_out(workspace)

    @post("/freeze", operation_id="tidingsFreezeClock", status_code=200)
    async def freeze_clock(self, workspace: ControlledWorkspace, data: JSONBody[FreezeClock], state: State) -> ClockOut:
        at_ms = None if data.at is None else int(data.at * 1000)
        await clock_control.freeze(state.storage, workspace, at_ms, state.settings.run_worker)
        return clock_out(workspace)

    @post("/advance", operation_id="tidingsAdvanceClock", status_code=200)
    async def advance_clock(
        self, workspace: ControlledWorkspace, data: JSONBody[AdvanceClock], state: State
    ) -> ClockOut:
        await clock_control.advance(state.storage, workspace, int(data.seconds * 1000), state.settings.run_worker)
        return clock_out(workspace)

    @post("/real", operation_id="tidingsRealClock", status_code=200)
    async def real_clock(self, workspace: ControlledWorkspace, state: State) -> ClockOut:
        await clock_control.real_time(state.storage, workspace, state.settings.run_worker)
        return clock_out(workspace)

"""The control plane under /_tidings/v1/workspaces/{ws}/: clock, snapshots, request log, faults."""

from __future__ import annotations

from litestar import Controller, delete, get, post
from litestar.datastructures import State
from litestar.di import Provide
from litestar.params import FromPath, JSONBody

from tidings.control import clock as clock_control
from tidings.control import snapshots
from tidings.control.deps import ControlledWorkspace, provide_workspace
from tidings.control.schemas import AdvanceClock, ClockOut, FreezeClock, SaveSnapshot, SnapshotList, SnapshotOut
from tidings.core import clock
from tidings.management.deps import ControlTx, provide_control_tx, workspace_uow
from tidings.management.routes import PREFIX
from tidings.management.schemas import Status


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


class SnapshotsController(Controller):
    path = PREFIX + "/workspaces/{ws:str}/snapshots"
    dependencies = {"tx": Provide(provide_control_tx)}
    tags = ["Control plane"]

    @post("/", operation_id="tidingsSaveSnapshot", status_code=201)
    async def save_snapshot(self, ws: FromPath[str], data: JSONBody[SaveSnapshot], tx: ControlTx) -> SnapshotOut:
        return SnapshotOut.from_row(await snapshots.save(await workspace_uow(tx, ws), data.name))

    @get("/", operation_id="tidingsListSnapshots")
    async def list_snapshots(self, ws: FromPath[str], tx: ControlTx) -> SnapshotList:
        return SnapshotList(
            data=[SnapshotOut.from_row(r) for r in await snapshots.list_all(await workspace_uow(tx, ws))]
        )

    @post("/{name:str}/restore", operation_id="tidingsRestoreSnapshot", status_code=200)
    async def restore_snapshot(self, ws: FromPath[str], name: FromPath[str], tx: ControlTx) -> SnapshotOut:
        return SnapshotOut.from_row(await snapshots.restore(await workspace_uow(tx, ws), name))

    @delete("/{name:str}", operation_id="tidingsDeleteSnapshot", status_code=200)
    async def delete_snapshot(self, ws: FromPath[str], name: FromPath[str], tx: ControlTx) -> Status:
        await snapshots.remove(await workspace_uow(tx, ws), name)
        return Status(status="deleted")

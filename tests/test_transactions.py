"""The transaction lifecycle every caller shares: requests, management calls and background work.

Each test opens the live server's database directly and drives the dependency or helper the server
uses, so what runs after a commit (wake-ups, SSE notifications) is observable without a timer."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace
from typing import Any

import pytest

from tests.support.live import LiveServer, Workspace
from tidings.db.storage import Storage, open_storage


def storage_of(server: LiveServer) -> Storage:
    url = server.database_url or f"sqlite:///{server.data_dir}/tidings.db"
    return open_storage(url.replace("postgresql://", "postgresql+asyncpg://"))


def management_request(server: LiveServer, method: str) -> Any:
    return SimpleNamespace(headers={"authorization": f"Bearer {server.admin_key}"}, method=method)


class TestManagementTransaction:
    def test_after_commit_hooks_of_a_management_call_run(self, server: LiveServer, workspace: Workspace) -> None:
        """A management call's after-commit work (a webhook worker's wake, an SSE notification) runs
        once its transaction has committed, as a request's does."""
        from tidings.management.deps import provide_control_tx, workspace_uow

        async def call() -> list[str]:
            storage = storage_of(server)
            ran: list[str] = []
            try:
                state = SimpleNamespace(admin_key=server.admin_key, storage=storage)
                dependency = provide_control_tx(management_request(server, "POST"), state)  # type: ignore[arg-type]
                tx = await anext(dependency)
                uow = await workspace_uow(tx, workspace.id)
                uow.after_commit.append(lambda: ran.append("woken"))
                with pytest.raises(StopAsyncIteration):
                    await anext(dependency)
            finally:
                await storage.close()
            return ran

        assert asyncio.run(call()) == ["woken"]

    def test_a_failed_management_call_runs_no_after_commit_hook(self, server: LiveServer, workspace: Workspace) -> None:
        from tidings.management.deps import provide_control_tx, workspace_uow

        async def call() -> list[str]:
            storage = storage_of(server)
            ran: list[str] = []
            try:
                state = SimpleNamespace(admin_key=server.admin_key, storage=storage)
                dependency = provide_control_tx(management_request(server, "POST"), state)  # type: ignore[arg-type]
                tx = await anext(dependency)
                uow = await workspace_uow(tx, workspace.id)
                uow.after_commit.append(lambda: ran.append("woken"))
                with pytest.raises(RuntimeError):
                    await dependency.athrow(RuntimeError("the handler failed"))
            finally:
                await storage.close()
            return ran

        assert asyncio.run(call()) == []

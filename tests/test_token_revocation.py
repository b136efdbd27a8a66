"""A revoked token is refused at once by every server process on the database (issue 18, defect 10).

Two `tidings serve` processes share one database (one SQLite file, or one PostgreSQL database);
both have the token cached when one of them revokes it. As soon as the revoke call has answered,
neither accepts the token. No timing is asserted: the answer must be 401 on the very next request.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import start_server, stop_server
from tests.support.live import LiveServer

ROUNDS = 5
WARM_REQUESTS = 3


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def two_servers(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[LiveServer, LiveServer]]:
    tmp: Path = tmp_path_factory.mktemp(f"revocation-{request.param}")
    first = start_server(request.param, tmp)
    second = LiveServer(
        dialect=first.dialect,
        database_url=first.database_url,
        data_dir=tmp,
        admin_key=first.admin_key,
        bootstrap_token=first.bootstrap_token,
    )
    try:
        second.start()
        yield first, second
    finally:
        second.stop()
        stop_server(first)


def me(server: LiveServer, token: str) -> int:
    answer = httpx.get(
        f"{server.base_url}/me",
        headers={"Authorization": f"Bearer {token}", "Intercom-Version": "Unstable"},
        timeout=30,
    )
    return answer.status_code


@pytest.mark.parametrize("revoker", [0, 1], ids=["revoked-through-first", "revoked-through-second"])
def test_a_token_revoked_through_one_process_is_refused_by_every_other_at_once(
    two_servers: tuple[LiveServer, LiveServer], revoker: int
) -> None:
    servers = list(two_servers)
    workspace = servers[0].new_workspace("revocation")
    for _ in range(ROUNDS):
        with servers[0].management() as mgmt:
            made = mgmt.post(f"/workspaces/{workspace.id}/access_tokens", json={"name": "short-lived"})
            assert made.status_code == 201, made.text
        token, token_id = made.json()["token"], made.json()["id"]
        # Both processes have it cached.
        for server in servers:
            assert [me(server, token) for _ in range(WARM_REQUESTS)] == [200] * WARM_REQUESTS
        with servers[revoker].management() as mgmt:
            revoked = mgmt.delete(f"/workspaces/{workspace.id}/access_tokens/{token_id}")
            assert revoked.status_code == 200, revoked.text
        other = servers[1 - revoker]
        assert me(other, token) == 401
        assert me(servers[revoker], token) == 401
        assert [me(server, token) for server in servers for _ in range(WARM_REQUESTS)] == [401] * 2 * WARM_REQUESTS
    # The workspace's own token still works on both.
    assert [me(server, workspace.token) for server in servers] == [200, 200]

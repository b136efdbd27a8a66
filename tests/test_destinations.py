"""Where webhooks, Fin and custom-channel callbacks may be sent (issue 18, defects 1-3).

Every request here goes to loopback: disguised loopback addresses stand in for private ones. The
connect-time checks that need a private-looking receiver run in a network namespace that has
only `lo` (tests/support/netns_probe.py), so nothing leaves the machine.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import start_server, stop_server
from tests.support.live import LiveServer, Workspace
from tests.support.receiver import Receiver
from tests.test_webhooks import deliveries, in_workspace
from tidings.config import Settings
from tidings.core.uow import UnitOfWork
from tidings.events import signing
from tidings.events.outbox import enqueue_delivery
from tidings.webhooks.safety import UnsafeDestination, check_saved_url, is_private

DISGUISED_LOOPBACK = [
    "127.1",
    "2130706433",
    "0x7f000001",
    "0177.0.0.1",
    "017700000001",
    "localhost.",
    "[::127.0.0.1]",
    "[64:ff9b::7f00:1]",
    "[::ffff:127.0.0.1]",
    "[::ffff:7f00:1]",
    "[2002:7f00:1::]",
    "[::]",
    "0.0.0.0",
    "0",
]

REFUSING = Settings(host="0.0.0.0", allow_private_webhooks=False)


@pytest.mark.parametrize(
    "address", ["64:ff9b::a01:203", "::10.1.2.3", "::ffff:10.1.2.3", "2002:a01:203::1", "100.64.0.1"]
)
def test_embedded_private_addresses_are_private(address: str) -> None:
    assert is_private(address)


@pytest.mark.parametrize("address", ["93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946", "64:ff9b::5db8:d822"])
def test_public_addresses_are_not_private(address: str) -> None:
    assert not is_private(address)


@pytest.mark.parametrize("host", DISGUISED_LOOPBACK)
def test_disguised_loopback_is_refused_when_saving(host: str) -> None:
    with pytest.raises(UnsafeDestination, match="private"):
        asyncio.run(check_saved_url(f"http://{host}:9/hook", REFUSING))


@pytest.mark.parametrize("host", ["exa%20mple.com", "-bad-.example", "a..b", "x" * 64 + ".example", "under_score!.com"])
def test_a_host_that_is_not_a_host_name_is_refused(host: str) -> None:
    with pytest.raises(UnsafeDestination, match="host"):
        asyncio.run(check_saved_url(f"http://{host}/hook", Settings(allow_private_webhooks=True)))


# ---------------------------------------------------------------- a public server, both databases


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def public_server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """Listens on every interface and runs no delivery worker (the scale-out set-up)."""
    live = start_server(
        request.param,
        tmp_path_factory.mktemp(f"destinations-{request.param}"),
        extra_env={"TIDINGS_HOST": "0.0.0.0", "TIDINGS_RUN_WORKER": "0"},
    )
    yield live
    stop_server(live)


@pytest.fixture
def ws(public_server: LiveServer) -> Workspace:
    return public_server.new_workspace()


SAVED_URLS = {
    "webhook_subscriptions": ("POST", "url", {"topics": ["ping"]}),
    "fin_agent_settings": ("PUT", "webhook_url", {}),
    "custom_channel_settings": ("PUT", "webhook_url", {}),
}


@pytest.mark.parametrize("resource", sorted(SAVED_URLS))
@pytest.mark.parametrize("host", DISGUISED_LOOPBACK)
def test_every_saved_callback_refuses_disguised_loopback(
    public_server: LiveServer, ws: Workspace, resource: str, host: str
) -> None:
    method, field_name, extra = SAVED_URLS[resource]
    with public_server.management() as mgmt:
        answer = mgmt.request(
            method, f"/workspaces/{ws.id}/{resource}", json={field_name: f"http://{host}:9/hook", **extra}
        )
    assert answer.status_code == 400, (host, answer.text)
    error = answer.json()["errors"][0]
    assert error["field"] == field_name
    assert "private" in error["message"]


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://127.0.0.1:9/" + "a" * 1_000_000, "2048"),
        ("http://127.0.0.1:9/a\r\nX-Injected: 1", "control characters"),
        ("http://127.0.0.1:9/a\nb", "control characters"),
        ("http://127.0.0.1:9/a b", "control characters"),
        ("http://127.0.0.1:0/hook", "port"),
        ("http://127.0.0.1:65536/hook", "port"),
        ("http://127.0.0.1:99999999999/hook", "port"),
        ("http://[zz::1]/hook", "host"),
    ],
)
@pytest.mark.parametrize("resource", sorted(SAVED_URLS))
def test_callback_urls_are_bounded_and_clean(
    public_server: LiveServer, ws: Workspace, resource: str, url: str, message: str
) -> None:
    method, field_name, extra = SAVED_URLS[resource]
    with public_server.management() as mgmt:
        answer = mgmt.request(method, f"/workspaces/{ws.id}/{resource}", json={field_name: url, **extra})
    assert answer.status_code == 400, answer.text[:300]
    error = answer.json()["errors"][0]
    assert error["field"] == field_name
    assert message in error["message"]


def test_the_standalone_worker_refuses_private_destinations(public_server: LiveServer, ws: Workspace) -> None:
    """`tidings worker` next to `tidings serve --host 0.0.0.0`: its own environment has no TIDINGS_HOST."""
    env = public_server.env()
    env.pop("TIDINGS_HOST")
    env.pop("TIDINGS_RUN_WORKER")
    worker = subprocess.Popen(
        [sys.executable, "-m", "tidings", "worker"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        with Receiver() as receiver:
            disguised = receiver.url.replace("127.0.0.1", "127.1")

            async def work(uow: UnitOfWork) -> None:
                for url in (receiver.url, disguised):
                    await enqueue_delivery(
                        uow, url=url, secret="s", signer=signing.FIN, topic="fin_replied", payload={}
                    )

            in_workspace(public_server, ws.id, work)
            deadline = time.monotonic() + 15
            while any((logged := d)["status"] == "pending" for d in deliveries(public_server, ws.id)):
                assert time.monotonic() < deadline, logged
                time.sleep(0.1)
            assert receiver.snapshot() == []
        logged_all = deliveries(public_server, ws.id)
        assert [d["status"] for d in logged_all] == ["failed", "failed"]
        assert all("private" in d["last_error"] for d in logged_all)
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=15)


# ---------------------------------------------------------------- connect time, in a namespace with only lo

PROBE = Path(__file__).parent / "support" / "netns_probe.py"


def netns_available() -> str | None:
    if shutil.which("ip") is None:
        return "the ip command is not installed"
    if os.geteuid() != 0:
        return "network namespaces need root"
    return None


@pytest.fixture
def namespace() -> Iterator[tuple[str, Path]]:
    """A network namespace with only `lo` (holding a private and a public-looking address), and its hosts file."""
    reason = netns_available()
    if reason:
        pytest.skip(reason)
    name = f"tidings-{uuid.uuid4().hex[:8]}"
    etc = Path("/etc/netns") / name
    etc.mkdir(parents=True)
    hosts = etc / "hosts"
    hosts.write_text("127.0.0.1 localhost\n")
    subprocess.run(["ip", "netns", "add", name], check=True)
    try:
        for command in (
            ["ip", "link", "set", "lo", "up"],
            ["ip", "addr", "add", "10.1.2.3/32", "dev", "lo"],
            ["ip", "addr", "add", "93.184.216.34/32", "dev", "lo"],
        ):
            subprocess.run(["ip", "netns", "exec", name, *command], check=True)
        links = subprocess.run(
            ["ip", "netns", "exec", name, "ip", "-o", "link"], check=True, capture_output=True, text=True
        ).stdout
        assert [line.split(":")[1].strip() for line in links.splitlines()] == ["lo"]
        yield name, hosts
    finally:
        subprocess.run(["ip", "netns", "del", name], check=False)
        shutil.rmtree(etc, ignore_errors=True)


def test_connect_time_check_stops_dns_rebinding(namespace: tuple[str, Path]) -> None:
    name, hosts = namespace
    done = subprocess.run(
        ["ip", "netns", "exec", name, sys.executable, str(PROBE), str(hosts)],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "PYTHONPATH": os.pathsep.join([str(PROBE.parents[2] / "src"), str(PROBE.parents[2])])},
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout)
    # A public-looking name is saved and delivered to...
    assert result["saved_public"] == "ok"
    assert result["public_delivery"] == 200
    # ...then it is rebound to a private address: the attempt is refused before connecting.
    assert "private" in result["rebound_delivery"]
    assert result["private_receiver_hits_while_refused"] == 0
    # A literal private address is refused at save time and at connect time.
    assert "private" in result["saved_private"]
    assert "private" in result["private_delivery"]
    # With private destinations allowed the same rebound name is delivered (the check is what refused it).
    assert result["allowed_rebound_delivery"] == 200
    assert result["private_receiver_hits"] == 1

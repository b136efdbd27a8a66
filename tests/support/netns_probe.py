"""Run inside a network namespace that has only `lo` (tests/test_destinations.py): the connect-time
destination check against real receivers on a private (10.1.2.3) and a public-looking
(93.184.216.34) address of that `lo`, with a name whose /etc/hosts entry changes between the save
and the attempt (DNS rebinding). Prints what happened as JSON."""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path
from typing import Any

from tests.support.receiver import Receiver
from tidings.config import Settings
from tidings.webhooks.http import WebhookClient
from tidings.webhooks.safety import UnsafeDestination, check_saved_url

NAME = "hooks.example.test"
HEADERS = {"X-Tidings-Delivery-Id": "probe", "Content-Type": "application/json"}


async def attempt(url: str, allow_private: bool) -> Any:
    client = WebhookClient(allow_private=allow_private)
    try:
        return (await client.post(url, b"{}", HEADERS, keep=100)).status_code
    except UnsafeDestination as exc:
        return str(exc)
    finally:
        await client.aclose()


async def saved(url: str) -> str:
    try:
        await check_saved_url(url, Settings(host="0.0.0.0", allow_private_webhooks=False))
    except UnsafeDestination as exc:
        return str(exc)
    return "ok"


async def probe(hosts: Path, public: Receiver, private: Receiver) -> dict[str, Any]:
    port = int(public.url.split(":")[2].split("/")[0])
    private_port = int(private.url.split(":")[2].split("/")[0])
    result: dict[str, Any] = {}
    hosts.write_text(f"127.0.0.1 localhost\n93.184.216.34 {NAME}\n")
    result["saved_public"] = await saved(f"http://{NAME}:{port}/hook")
    result["public_delivery"] = await attempt(f"http://{NAME}:{port}/hook", allow_private=False)
    hosts.write_text(f"127.0.0.1 localhost\n10.1.2.3 {NAME}\n")
    result["rebound_delivery"] = await attempt(f"http://{NAME}:{private_port}/hook", allow_private=False)
    result["saved_private"] = await saved(private.url)
    result["private_delivery"] = await attempt(private.url, allow_private=False)
    result["private_receiver_hits_while_refused"] = len(private.snapshot())
    result["allowed_rebound_delivery"] = await attempt(f"http://{NAME}:{private_port}/hook", allow_private=True)
    result["private_receiver_hits"] = len(private.snapshot())
    return result


def main() -> None:
    hosts = Path(sys.argv[1])
    with Receiver(host="93.184.216.34") as public, Receiver(host="10.1.2.3") as private:
        sys.stdout.write(json.dumps(asyncio.run(asyncio.wait_for(probe(hosts, public, private), 30))))


if __name__ == "__main__":
    main()

"""What a webhook may be sent to.

A URL needs an http(s) scheme, a host and no credentials. Private, loopback and link-local
destinations are the everyday case of a developer running tidings and a receiver on one machine,
so they are allowed while the server listens only on loopback; a server listening on another
interface refuses them (it must not become a probe into its own network) unless
`TIDINGS_ALLOW_PRIVATE_WEBHOOKS=1`. The URL is checked when it is saved and the resolved
addresses again before every attempt (a name may resolve differently later).
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from urllib.parse import urlsplit

from tidings.config import Settings

LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost"})


class UnsafeDestination(ValueError):
    pass


def listens_on_loopback_only(host: str) -> bool:
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def private_destinations_allowed(settings: Settings) -> bool:
    return settings.allow_private_webhooks or listens_on_loopback_only(settings.host)


def check_url(url: str) -> str:
    """The URL's host, or UnsafeDestination saying what is wrong with it."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 (raises on a malformed port)
    except ValueError as exc:
        raise UnsafeDestination(f"url is not a valid URL: {exc}") from None
    if parts.scheme not in ("http", "https"):
        raise UnsafeDestination("url must use http or https")
    if not parts.hostname:
        raise UnsafeDestination("url must name a host")
    if parts.username is not None or parts.password is not None:
        raise UnsafeDestination("url must not contain credentials")
    return parts.hostname


def is_private(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return not ip.is_global or ip.is_multicast


def check_saved_url(url: str, settings: Settings) -> None:
    """Validate a URL being saved; literal private addresses are refused up front when not allowed."""
    host = check_url(url)
    if private_destinations_allowed(settings):
        return
    if host.lower() in LOOPBACK_NAMES:
        raise UnsafeDestination("private destinations are not allowed while the server listens on a public interface")
    try:
        private = is_private(host)
    except ValueError:
        return
    if private:
        raise UnsafeDestination("private destinations are not allowed while the server listens on a public interface")


async def check_destination(url: str, settings: Settings) -> None:
    """Before an attempt: refuse a URL whose host resolves to a private address when not allowed."""
    host = check_url(url)
    if private_destinations_allowed(settings):
        return
    port = urlsplit(url).port or (443 if url.startswith("https") else 80)
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError as exc:
        raise UnsafeDestination(f"cannot resolve {host}: {exc}") from None
    for info in infos:
        if is_private(str(info[4][0])):
            raise UnsafeDestination(f"{host} resolves to a private address, refused on a public server")

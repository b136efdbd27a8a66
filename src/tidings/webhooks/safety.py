"""What a webhook, Fin or custom-channel callback may be sent to.

A URL needs an http(s) scheme, a host that parses as an IP address or a DNS name, a valid port,
no credentials, no control characters or spaces, and at most `MAX_URL_LENGTH` characters.

Private destinations (loopback, private, link-local, shared, reserved, multicast; IPv4 embedded
in IPv6 as mapped, NAT64, 6to4, Teredo or the deprecated compatible form counts as that IPv4)
are one policy for every process, `Settings.allow_private_webhooks`:
- set (`TIDINGS_ALLOW_PRIVATE_WEBHOOKS=1` or `0`): that, in every process;
- unset: allowed only while the server listens on loopback alone. `tidings serve` decides this
  from the interface it listens on and exports the decision to its worker processes; `tidings
  worker` listens on nothing and cannot know, so it refuses them unless told.

When refused, a URL's host is resolved and every address classified when the URL is saved, and
again when a connection is opened (`resolve_destination`), which then connects to exactly the
addresses it checked: a name rebound to a private address after it was saved is refused.
"""

from __future__ import annotations

import asyncio
import ipaddress
import re
import socket
from urllib.parse import SplitResult, urlsplit

from tidings.config import Settings

MAX_URL_LENGTH = 2048
LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost"})
REFUSED = "private destinations are not allowed while the server listens on a public interface"
NAT64 = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("64:ff9b:1::/48"))
# The labels of a DNS name (after IDNA encoding); the last may be followed by the root's dot.
_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")


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
    """The policy in a process that serves requests (`Settings.host` is the interface it listens on)."""
    if settings.allow_private_webhooks is not None:
        return settings.allow_private_webhooks
    return listens_on_loopback_only(settings.host)


def _split(url: str, field: str) -> SplitResult:
    if len(url) > MAX_URL_LENGTH:
        raise UnsafeDestination(f"{field} must be at most {MAX_URL_LENGTH} characters")
    if any(ord(char) <= 0x20 or ord(char) == 0x7F for char in url):
        raise UnsafeDestination(f"{field} must not contain spaces or control characters")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        message = str(exc)
        if "Port" in message or "port" in message:
            raise UnsafeDestination(f"{field} has an invalid port (1-65535)") from None
        raise UnsafeDestination(f"{field}'s host is not a valid host: {message}") from None
    if port == 0:
        raise UnsafeDestination(f"{field} has an invalid port (1-65535)")
    return parts


def _valid_host_name(host: str) -> bool:
    try:
        ascii_name = host.encode("idna").decode("ascii") if not host.isascii() else host
    except UnicodeError:
        return False
    name = ascii_name.lower().removesuffix(".")
    return 0 < len(name) <= 253 and all(_LABEL.match(label) for label in name.split("."))


def check_url(url: str, field: str = "url") -> tuple[str, int]:
    """The URL's host and port, or UnsafeDestination saying what is wrong with it (naming `field`)."""
    parts = _split(url, field)
    if parts.scheme not in ("http", "https"):
        raise UnsafeDestination(f"{field} must use http or https")
    host = parts.hostname
    if not host:
        raise UnsafeDestination(f"{field} must name a host")
    if parts.username is not None or parts.password is not None:
        raise UnsafeDestination(f"{field} must not contain credentials")
    if not _is_ip_literal(host) and not _valid_host_name(host):
        raise UnsafeDestination(f"{field}'s host is not a valid host name or IP address")
    return host, parts.port or (443 if parts.scheme == "https" else 80)


def _is_ip_literal(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address carries (mapped, NAT64, 6to4, Teredo, deprecated compatible)."""
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if any(ip in network for network in NAT64):
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip.teredo is not None:
        return ip.teredo[1]
    if int(ip) >> 32 == 0:
        # ::a.b.c.d (RFC 4291's deprecated form), :: and ::1 included.
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def is_private(address: str) -> bool:
    """Whether an address is anything but a public unicast one."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.is_loopback or ip.is_unspecified:
            return True
        embedded = _embedded_ipv4(ip)
        if embedded is not None and is_private(str(embedded)):
            return True
    return not ip.is_global or ip.is_multicast


async def resolve_destination(host: str, port: int, allow_private: bool) -> list[str]:
    """The addresses to connect to for `host`; with private destinations refused, every one is public."""
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError as exc:
        raise UnsafeDestination(f"cannot resolve {host}: {exc}") from None
    addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
    if not allow_private and (not addresses or any(is_private(address) for address in addresses)):
        raise UnsafeDestination(f"{host} resolves to a private address: {REFUSED}")
    return addresses


async def check_saved_url(url: str, settings: Settings, field: str = "url") -> None:
    """Validate a URL being saved; with private destinations refused, its host must resolve to public addresses."""
    host, port = check_url(url, field)
    if private_destinations_allowed(settings):
        return
    if host.lower().removesuffix(".") in LOOPBACK_NAMES:
        raise UnsafeDestination(REFUSED)
    await resolve_destination(host, port, allow_private=False)


async def check_destination(url: str, settings: Settings) -> None:
    """Check a URL just before a client that resolves the name itself requests it (data connectors)."""
    host, port = check_url(url)
    await resolve_destination(host, port, private_destinations_allowed(settings))

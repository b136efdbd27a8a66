"""Signers: the headers that let a receiver check a webhook body came from this server.

Each signer maps (secret, raw body) to headers. Deliveries name their signer (`signer=` of
`enqueue_delivery`), so the Fin and custom channel areas only choose which:

- `HUB` ("hub"): Developer Hub webhooks, `X-Hub-Signature: sha1=<hex HMAC-SHA1(secret, body)>`.
- `FIN` ("fin"): Fin Agent API, `X-Fin-Agent-API-Webhook-Signature: sha256=<hex HMAC-SHA256(secret, body)>`.
- `CUSTOM_CHANNEL` ("custom_channel"): the custom channel's events,
  `X-Custom-Channel-Signature: sha256=<hex HMAC-SHA256(secret, body)>` (Intercom's header is
  undocumented; this one is tidings' choice).

The secret is used as its UTF-8 bytes; the body is exactly the bytes sent.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable

HUB = "hub"
FIN = "fin"
CUSTOM_CHANNEL = "custom_channel"

HUB_HEADER = "X-Hub-Signature"
FIN_HEADER = "X-Fin-Agent-API-Webhook-Signature"
CUSTOM_CHANNEL_HEADER = "X-Custom-Channel-Signature"

Signer = Callable[[str, bytes], dict[str, str]]


def hmac_hex(secret: str, body: bytes, digest: str) -> str:
    return hmac.new(secret.encode(), body, digest).hexdigest()


def sign_hub(secret: str, body: bytes) -> dict[str, str]:
    return {HUB_HEADER: "sha1=" + hmac_hex(secret, body, "sha1")}


def sign_fin(secret: str, body: bytes) -> dict[str, str]:
    return {FIN_HEADER: "sha256=" + hmac_hex(secret, body, "sha256")}


def sign_custom_channel(secret: str, body: bytes) -> dict[str, str]:
    return {CUSTOM_CHANNEL_HEADER: "sha256=" + hmac_hex(secret, body, "sha256")}


SIGNERS: dict[str, Signer] = {HUB: sign_hub, FIN: sign_fin, CUSTOM_CHANNEL: sign_custom_channel}


def signature_headers(signer: str, secret: str | None, body: bytes) -> dict[str, str]:
    """The signer's headers for `body`; nothing when the delivery has no secret."""
    if not secret:
        return {}
    return SIGNERS[signer](secret, body)


def verify(signer: str, secret: str, body: bytes, headers: dict[str, str]) -> bool:
    """Constant-time check of a received body's signature (what a receiver does)."""
    expected = SIGNERS[signer](secret, body)
    lowered = {k.lower(): v for k, v in headers.items()}
    return all(hmac.compare_digest(lowered.get(k.lower(), ""), v) for k, v in expected.items())

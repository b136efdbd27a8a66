"""The custom channel's settings (management API): where outbound events go and how they are signed.

A workspace without settings has no custom channel integration: the inbound notifications answer
404 "Integration not found" until `PUT .../custom_channel_settings` sets a `webhook_url`.
"""

from __future__ import annotations

import secrets

from tidings.config import Settings
from tidings.core import clock
from tidings.core.errors import found, invalid, missing, not_found
from tidings.core.schemas import UNSET
from tidings.core.uow import UnitOfWork
from tidings.custom_channel import storage
from tidings.custom_channel.schemas import SettingsOut, SettingsUpdate
from tidings.webhooks.safety import UnsafeDestination, check_saved_url


async def get(uow: UnitOfWork) -> SettingsOut:
    row = found(await storage.get_settings(uow), not_found("Custom channel settings not found"))
    return SettingsOut.from_row(row)


async def put(uow: UnitOfWork, data: SettingsUpdate, config: Settings) -> SettingsOut:
    """Set what is given; absent fields keep their values (a secret is generated when there is none)."""
    current = await storage.get_settings(uow)
    url = data.webhook_url if data.webhook_url is not UNSET else (current["webhook_url"] if current else None)
    if not url:
        raise missing("webhook_url")
    try:
        await check_saved_url(url, config, "webhook_url")
    except UnsafeDestination as exc:
        raise invalid(str(exc), "webhook_url") from None
    if data.webhook_secret is not UNSET and not data.webhook_secret:
        raise invalid("webhook_secret must not be empty", "webhook_secret")
    now = clock.now()
    values = {
        "webhook_url": url,
        "webhook_secret": data.webhook_secret
        if data.webhook_secret is not UNSET
        else (current["webhook_secret"] if current else secrets.token_hex(20)),
        "auth_token": (data.auth_token or None)
        if data.auth_token is not UNSET
        else (current["auth_token"] if current else None),
        "fin_enabled": data.fin_enabled
        if data.fin_enabled is not UNSET
        else (current["fin_enabled"] if current else True),
        "updated_at": now,
    }
    if current is None:
        values["created_at"] = now
    await storage.save_settings(uow, values, exists=current is not None)
    return SettingsOut.from_row(await storage.get_settings(uow))

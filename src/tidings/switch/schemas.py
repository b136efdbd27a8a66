from __future__ import annotations

from typing import Any

import msgspec

from tidings.core.schemas import UNSET, Request, UnsetType


class CreatePhoneSwitch(Request):
    phone: str | UnsetType = UNSET
    custom_attributes: dict[str, Any] | None = None


class PhoneSwitchOut(msgspec.Struct):
    phone: str
    # The Messenger link the SMS carries (the spec's example has it; its schema does not).
    url: str
    type: str = "phone_call_redirect"


class SwitchErrorBody(msgspec.Struct):
    """Switch's own error shape, not Intercom's `error.list`."""

    error_key: str
    message: str


class RedirectOut(msgspec.Struct):
    phone: str
    contact_id: str
    url: str
    custom_attributes: dict[str, Any]
    created_at: int
    type: str = "phone_call_redirect"


class RedirectList(msgspec.Struct):
    data: list[RedirectOut]
    type: str = "list"

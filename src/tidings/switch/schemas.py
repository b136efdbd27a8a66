from __future__ import annotations

from typing import Any

from tidings.core.schemas import UNSET, Out, PlainOut, Request, UnsetType


class CreatePhoneSwitch(Request):
    phone: str | UnsetType = UNSET
    custom_attributes: dict[str, Any] | None = None


class PhoneSwitchOut(Out, tag="phone_call_redirect", kw_only=True):
    phone: str
    # The Messenger link the SMS carries (the spec's example has it; its schema does not).
    url: str


class SwitchErrorBody(PlainOut, kw_only=True):
    """Switch's own error shape, not Intercom's `error.list`."""

    error_key: str
    message: str


class RedirectOut(Out, tag="phone_call_redirect", kw_only=True):
    phone: str
    contact_id: str
    url: str
    custom_attributes: dict[str, Any]
    created_at: int


class RedirectList(Out, tag="list", kw_only=True):
    data: list[RedirectOut]

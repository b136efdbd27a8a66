"""Wire models: the four inbound notifications (the spec's `custom_channel_*` schemas), their
answer, and the management API's `custom_channel_settings`."""

from __future__ import annotations

from typing import Any, Literal

from tidings.core.schemas import UNSET, Out, PlainOut, Request, UnsetType


class ChannelContact(Request):
    type: Literal["user", "lead"]
    external_id: str
    name: str | UnsetType = UNSET
    email: str | UnsetType = UNSET


class BaseEvent(Request):
    event_id: str
    external_conversation_id: str
    contact: ChannelContact


class NewConversationEvent(BaseEvent):
    pass


class NewMessageEvent(BaseEvent):
    body: str


class QuickReplySelectedEvent(BaseEvent):
    quick_reply_option_id: str


class CollectedAttribute(Request):
    id: str
    value: str


class AttributeCollectedEvent(BaseEvent):
    attribute: CollectedAttribute


class NotificationResponse(PlainOut):
    external_conversation_id: str
    conversation_id: str
    external_contact_id: str
    contact_id: str


class SettingsUpdate(Request):
    webhook_url: str | UnsetType = UNSET
    webhook_secret: str | UnsetType = UNSET
    auth_token: str | None | UnsetType = UNSET
    fin_enabled: bool | UnsetType = UNSET


class SettingsOut(Out, tag="custom_channel_settings"):
    webhook_url: str
    webhook_secret: str
    auth_token: str | None
    fin_enabled: bool
    updated_at: int

    @classmethod
    def from_row(cls, row: Any) -> SettingsOut:
        return cls(
            webhook_url=row["webhook_url"],
            webhook_secret=row["webhook_secret"],
            auth_token=row["auth_token"],
            fin_enabled=bool(row["fin_enabled"]),
            updated_at=row["updated_at"],
        )

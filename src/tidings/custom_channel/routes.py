"""The four inbound notifications (Intercom API) and the channel's settings (management API)."""

from __future__ import annotations

from litestar import Controller, get, post, put
from litestar.datastructures import State
from litestar.di import Provide
from litestar.params import FromPath, JSONBody

from tidings.core.deps import Uow
from tidings.custom_channel import service, settings
from tidings.custom_channel.schemas import (
    AttributeCollectedEvent,
    NewConversationEvent,
    NewMessageEvent,
    NotificationResponse,
    QuickReplySelectedEvent,
    SettingsOut,
    SettingsUpdate,
)
from tidings.management.deps import ControlTx, provide_control_tx, workspace_uow
from tidings.management.routes import PREFIX

# The spec marks a lowercase `preview` Intercom-Version as required here, and real clients send
# `2.14`, `Preview` or nothing: these routes take any value, or none (`tidings.core.deps`).
ANY_VERSION = {"any_intercom_version": True}


class CustomChannelEventsController(Controller):
    path = "/custom_channel_events"
    tags = ["Custom Channel Events"]
    opt = ANY_VERSION

    @post(
        "/notify_new_conversation", operation_id="notifyNewConversation", status_code=200, opt={"body_required": True}
    )
    async def notify_new_conversation(self, data: JSONBody[NewConversationEvent], uow: Uow) -> NotificationResponse:
        return await service.once(uow, "notify_new_conversation", data, service.new_conversation)

    @post("/notify_new_message", operation_id="notifyNewMessage", status_code=200, opt={"body_required": True})
    async def notify_new_message(self, data: JSONBody[NewMessageEvent], uow: Uow) -> NotificationResponse:
        return await service.once(uow, "notify_new_message", data, service.new_message)

    @post(
        "/notify_quick_reply_selected",
        operation_id="notifyQuickReplySelected",
        status_code=200,
        opt={"body_required": True},
    )
    async def notify_quick_reply_selected(
        self, data: JSONBody[QuickReplySelectedEvent], uow: Uow
    ) -> NotificationResponse:
        return await service.once(uow, "notify_quick_reply_selected", data, service.quick_reply_selected)

    @post(
        "/notify_attribute_collected",
        operation_id="notifyAttributeCollected",
        status_code=200,
        opt={"body_required": True},
    )
    async def notify_attribute_collected(
        self, data: JSONBody[AttributeCollectedEvent], uow: Uow
    ) -> NotificationResponse:
        return await service.once(uow, "notify_attribute_collected", data, service.attribute_collected)


class CustomChannelSettingsController(Controller):
    path = PREFIX + "/workspaces/{ws:str}/custom_channel_settings"
    dependencies = {"tx": Provide(provide_control_tx)}

    @get("/", operation_id="tidingsGetCustomChannelSettings")
    async def get_custom_channel_settings(self, ws: FromPath[str], tx: ControlTx) -> SettingsOut:
        return await settings.get(await workspace_uow(tx, ws))

    @put("/", operation_id="tidingsPutCustomChannelSettings")
    async def put_custom_channel_settings(
        self, ws: FromPath[str], data: JSONBody[SettingsUpdate], tx: ControlTx, state: State
    ) -> SettingsOut:
        return await settings.put(await workspace_uow(tx, ws), data, state.settings)

"""Webhook subscriptions and the delivery log in the management API (/_tidings/v1/workspaces/{ws}/...)."""

from __future__ import annotations

from litestar import Controller, delete, get, post
from litestar.datastructures import State
from litestar.di import Provide
from litestar.params import FromPath, FromQuery, JSONBody

from tidings.management.deps import ControlTx, provide_control_tx, workspace_uow
from tidings.management.routes import PREFIX
from tidings.management.schemas import Status
from tidings.webhooks import service
from tidings.webhooks.schemas import CreateSubscription, DeliveryList, DeliveryOut, SubscriptionList, SubscriptionOut


class WebhooksController(Controller):
    path = PREFIX + "/workspaces"
    dependencies = {"tx": Provide(provide_control_tx)}
    tags = ["Webhooks"]

    @post(
        "/{ws:str}/webhook_subscriptions",
        operation_id="tidingsCreateWebhookSubscription",
        status_code=201,
    )
    async def create_subscription(
        self, ws: FromPath[str], data: JSONBody[CreateSubscription], tx: ControlTx, state: State
    ) -> SubscriptionOut:
        return await service.create_subscription(await workspace_uow(tx, ws), data, state.settings)

    @get("/{ws:str}/webhook_subscriptions", operation_id="tidingsListWebhookSubscriptions")
    async def list_subscriptions(self, ws: FromPath[str], tx: ControlTx) -> SubscriptionList:
        return SubscriptionList(data=await service.list_subscriptions(await workspace_uow(tx, ws)))

    @delete(
        "/{ws:str}/webhook_subscriptions/{subscription_id:str}",
        operation_id="tidingsDeleteWebhookSubscription",
        status_code=200,
    )
    async def delete_subscription(self, ws: FromPath[str], subscription_id: FromPath[str], tx: ControlTx) -> Status:
        await service.delete_subscription(await workspace_uow(tx, ws), subscription_id)
        return Status(status="deleted")

    @get("/{ws:str}/webhook_deliveries", operation_id="tidingsListWebhookDeliveries")
    async def list_deliveries(
        self,
        ws: FromPath[str],
        tx: ControlTx,
        status: FromQuery[str | None] = None,
        topic: FromQuery[str | None] = None,
        limit: FromQuery[int] = service.DEFAULT_LIMIT,
    ) -> DeliveryList:
        uow = await workspace_uow(tx, ws)
        return DeliveryList(data=await service.list_deliveries(uow, status, topic, limit))

    @post(
        "/{ws:str}/webhook_deliveries/{delivery_id:str}/redeliver",
        operation_id="tidingsRedeliverWebhook",
        status_code=202,
    )
    async def redeliver(self, ws: FromPath[str], delivery_id: FromPath[str], tx: ControlTx) -> DeliveryOut:
        return await service.redeliver(await workspace_uow(tx, ws), delivery_id)

from __future__ import annotations

from litestar import Controller, delete, get, post
from litestar.params import FromPath, JSONBody

from tidings.core.deps import Uow
from tidings.subscriptions import service
from tidings.subscriptions.schemas import AttachSubscriptionRequest, SubscriptionTypeList, SubscriptionTypeOut


class SubscriptionTypesController(Controller):
    path = "/subscription_types"
    tags = ["Subscription Types"]

    @get("/", operation_id="listSubscriptionTypes")
    async def list_subscription_types(self, uow: Uow) -> SubscriptionTypeList:
        return await service.list_all(uow)


class ContactSubscriptionsController(Controller):
    path = "/contacts/{contact_id:str}/subscriptions"
    tags = ["Subscription Types"]

    @get("/", operation_id="listSubscriptionsForAContact")
    async def list_subscriptions_for_a_contact(self, contact_id: FromPath[str], uow: Uow) -> SubscriptionTypeList:
        return await service.of_contact(uow, contact_id)

    @post("/", operation_id="attachSubscriptionTypeToContact", status_code=200)
    async def attach_subscription_type_to_contact(
        self, contact_id: FromPath[str], data: JSONBody[AttachSubscriptionRequest], uow: Uow
    ) -> SubscriptionTypeOut:
        return await service.attach(uow, contact_id, data)

    @delete("/{type_id:str}", operation_id="detachSubscriptionTypeToContact", status_code=200)
    async def detach_subscription_type_to_contact(
        self, contact_id: FromPath[str], type_id: FromPath[str], uow: Uow
    ) -> SubscriptionTypeOut:
        return await service.detach(uow, contact_id, type_id)

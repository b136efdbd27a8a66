from __future__ import annotations

from litestar import Controller, get, post, put
from litestar.di import Provide
from litestar.params import FromPath, JSONBody

from tidings.brands import service
from tidings.brands.schemas import (
    BrandList,
    BrandOut,
    CreateBrand,
    CreateEmailSetting,
    EmailList,
    EmailSettingOut,
    UpdateEmailSetting,
)
from tidings.core.deps import Uow
from tidings.management.deps import ControlTx, provide_control_tx, workspace_uow
from tidings.management.routes import PREFIX

# Reads may make the default brand and its address on first use.
WRITES_ON_FIRST_READ = {"write": True}


class BrandsController(Controller):
    path = "/brands"
    tags = ["Brands"]

    @get("/", operation_id="listBrands", opt=WRITES_ON_FIRST_READ)
    async def list_brands(self, uow: Uow) -> BrandList:
        return await service.list_brands(uow)

    @get("/{brand_id:str}", operation_id="retrieveBrand", opt=WRITES_ON_FIRST_READ)
    async def retrieve_brand(self, brand_id: FromPath[str], uow: Uow) -> BrandOut:
        return await service.get_brand(uow, brand_id)


class EmailsController(Controller):
    path = "/emails"
    tags = ["Emails"]

    @get("/", operation_id="listEmails", opt=WRITES_ON_FIRST_READ)
    async def list_emails(self, uow: Uow) -> EmailList:
        return await service.list_emails(uow)

    @get("/{setting_id:str}", operation_id="retrieveEmail", opt=WRITES_ON_FIRST_READ)
    async def retrieve_email(self, setting_id: FromPath[str], uow: Uow) -> EmailSettingOut:
        return await service.get_email(uow, setting_id)


class BrandsSetupController(Controller):
    """`/_tidings/v1/workspaces/{ws}/brands` and `.../email_settings`."""

    path = PREFIX + "/workspaces"
    dependencies = {"tx": Provide(provide_control_tx)}

    @post("/{ws:str}/brands", operation_id="tidingsCreateBrand", status_code=201)
    async def create_brand(self, ws: FromPath[str], data: JSONBody[CreateBrand], tx: ControlTx) -> BrandOut:
        return await service.create_brand(await workspace_uow(tx, ws), data)

    @post("/{ws:str}/email_settings", operation_id="tidingsCreateEmailSetting", status_code=201)
    async def create_email_setting(
        self, ws: FromPath[str], data: JSONBody[CreateEmailSetting], tx: ControlTx
    ) -> EmailSettingOut:
        return await service.create_email(await workspace_uow(tx, ws), data)

    @put("/{ws:str}/email_settings/{setting_id:str}", operation_id="tidingsUpdateEmailSetting")
    async def update_email_setting(
        self, ws: FromPath[str], setting_id: FromPath[str], data: JSONBody[UpdateEmailSetting], tx: ControlTx
    ) -> EmailSettingOut:
        return await service.update_email(await workspace_uow(tx, ws), setting_id, data)

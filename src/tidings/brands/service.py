from __future__ import annotations

from typing import Any

from tidings.brands import storage
from tidings.brands.schemas import (
    BrandList,
    BrandOut,
    CreateBrand,
    CreateEmailSetting,
    EmailList,
    EmailSettingOut,
    UpdateEmailSetting,
)
from tidings.core import clock
from tidings.core.errors import TidingsError, found, invalid, not_found
from tidings.core.ids import parse_numeric_id
from tidings.core.schemas import present
from tidings.core.uow import UnitOfWork
from tidings.core.workspaces import get_workspace
from tidings.help_center import storage as help_center_storage
from tidings.help_center.content import workspace_help_center

NAME_LIMIT = 255


def brand_not_found() -> TidingsError:
    return not_found("Brand not found")


def email_not_found() -> TidingsError:
    return not_found("Email setting not found")


async def ensure_defaults(uow: UnitOfWork) -> Any:
    """The default brand, made with the workspace's own sender address the first time it is asked
    for, and linked to the workspace's default help center."""
    row = await storage.default_brand(uow)
    if row is not None and row["help_center_id"]:
        return row
    if row is not None:
        await storage.update_brand(uow, row["id"], {"help_center_id": str((await workspace_help_center(uow))["id"])})
        return await storage.get_brand(uow, row["id"])
    await uow.serialise("default-brand")
    row = await storage.default_brand(uow)
    if row is not None:
        return row
    workspace = await get_workspace(uow, uow.workspace_id)
    now = clock.now()
    help_center_id = str((await workspace_help_center(uow))["id"])
    brand_id = await storage.insert_brand(
        uow,
        {
            "name": workspace["name"],
            "is_default": True,
            "help_center_id": help_center_id,
            "created_at": now,
            "updated_at": now,
        },
    )
    domain = f"{uow.workspace_id}.tidings.local"
    address_id = await storage.insert_email_setting(
        uow,
        {
            "email": f"support@{domain}",
            "domain": domain,
            "brand_id": brand_id,
            "verified": True,
            "forwarding_enabled": False,
            "created_at": now,
            "updated_at": now,
        },
    )
    await storage.update_brand(uow, brand_id, {"default_address_settings_id": address_id})
    return await storage.get_brand(uow, brand_id)


async def _brand_row(uow: UnitOfWork, wire_id: str) -> Any:
    default = await ensure_defaults(uow)
    if wire_id == uow.workspace_id:
        return default
    numeric = parse_numeric_id(wire_id)
    row = await storage.get_brand(uow, numeric) if numeric else None
    if row is None or row["is_default"]:
        raise brand_not_found()
    return row


def _brand_out(row: Any, default: Any) -> BrandOut:
    return BrandOut.from_row(row, default["default_address_settings_id"])


async def list_brands(uow: UnitOfWork) -> BrandList:
    default = await ensure_defaults(uow)
    return BrandList(data=[_brand_out(row, default) for row in await storage.list_brands(uow)])


async def get_brand(uow: UnitOfWork, wire_id: str) -> BrandOut:
    row = await _brand_row(uow, wire_id)
    return _brand_out(row, await storage.default_brand(uow))


async def create_brand(uow: UnitOfWork, data: CreateBrand) -> BrandOut:
    default = await ensure_defaults(uow)
    name = data.name.strip()
    if not name or len(name) > NAME_LIMIT:
        raise invalid(f"name must be 1 to {NAME_LIMIT} characters", "name")
    # A brand without a help center of its own shows the workspace's default one.
    help_center_id = default["help_center_id"]
    if data.help_center_id is not None:
        numeric = parse_numeric_id(data.help_center_id)
        if numeric is None or await help_center_storage.get_help_center(uow, numeric) is None:
            raise invalid(f"help center {data.help_center_id} not found", "help_center_id")
        help_center_id = str(numeric)
    now = clock.now()
    brand_id = await storage.insert_brand(
        uow,
        {
            "name": name,
            "is_default": False,
            "help_center_id": help_center_id,
            "created_at": now,
            "updated_at": now,
        },
    )
    return _brand_out(await storage.get_brand(uow, brand_id), default)


async def _email_out(uow: UnitOfWork, row: Any) -> EmailSettingOut:
    brand = await storage.get_brand(uow, row["brand_id"])
    return EmailSettingOut(
        id=str(row["id"]),
        email=row["email"],
        verified=row["verified"],
        domain=row["domain"],
        brand_id=brand["workspace_id"] if brand["is_default"] else str(brand["id"]),
        forwarding_enabled=row["forwarding_enabled"],
        forwarded_email_last_received_at=row["forwarded_email_last_received_at"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )


async def list_emails(uow: UnitOfWork) -> EmailList:
    await ensure_defaults(uow)
    return EmailList(data=[await _email_out(uow, row) for row in await storage.list_email_settings(uow)])


async def _email_row(uow: UnitOfWork, setting_id: str) -> Any:
    await ensure_defaults(uow)
    numeric = parse_numeric_id(setting_id)
    row = found(await storage.get_email_setting(uow, numeric) if numeric else None, email_not_found())
    return row


async def get_email(uow: UnitOfWork, setting_id: str) -> EmailSettingOut:
    return await _email_out(uow, await _email_row(uow, setting_id))


def _split_address(email: str) -> tuple[str, str]:
    address = email.strip()
    local, _, domain = address.rpartition("@")
    if not local or not domain or "." not in domain or len(address) > 255 or " " in address:
        raise invalid("email must be a valid email address", "email")
    return address, domain.lower()


async def create_email(uow: UnitOfWork, data: CreateEmailSetting) -> EmailSettingOut:
    address, domain = _split_address(data.email)
    brand = await _brand_row(uow, data.brand_id) if data.brand_id is not None else await ensure_defaults(uow)
    if await storage.find_email_setting(uow, address) is not None:
        raise invalid(f"{address} is already a sender address of this workspace", "email")
    now = clock.now()
    setting_id = await storage.insert_email_setting(
        uow,
        {
            "email": address,
            "domain": domain,
            "brand_id": brand["id"],
            "verified": data.verified,
            "forwarding_enabled": data.forwarding_enabled,
            "created_at": now,
            "updated_at": now,
        },
    )
    if brand["default_address_settings_id"] is None:
        await storage.update_brand(uow, brand["id"], {"default_address_settings_id": setting_id, "updated_at": now})
    return await get_email(uow, str(setting_id))


async def update_email(uow: UnitOfWork, setting_id: str, data: UpdateEmailSetting) -> EmailSettingOut:
    row = await _email_row(uow, setting_id)
    changes = present(data)
    if changes:
        await storage.update_email_setting(uow, row["id"], {**changes, "updated_at": clock.now()})
    return await get_email(uow, setting_id)

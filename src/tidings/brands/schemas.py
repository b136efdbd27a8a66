from __future__ import annotations

from typing import Any

import msgspec

from tidings.core.schemas import UNSET, Request, UnsetType


def brand_wire_id(row: Any) -> str:
    """The default brand's id is the workspace id; the others are their row ids."""
    return row["workspace_id"] if row["is_default"] else str(row["id"])


class BrandOut(msgspec.Struct):
    id: str
    name: str
    is_default: bool
    created_at: int
    updated_at: int
    help_center_id: str
    default_address_settings_id: str
    type: str = "brand"

    @classmethod
    def from_row(cls, row: Any, default_address_id: int) -> BrandOut:
        return cls(
            id=brand_wire_id(row),
            name=row["name"],
            is_default=row["is_default"],
            created_at=row["created_at"],
            updated_at=row["updated_at"],
            # No help center yet: an empty id rather than an invented one (docs/areas/brands.md).
            help_center_id=row["help_center_id"] or "",
            default_address_settings_id=str(row["default_address_settings_id"] or default_address_id),
        )


class BrandList(msgspec.Struct):
    data: list[BrandOut]
    type: str = "list"


class EmailSettingOut(msgspec.Struct):
    id: str
    email: str
    verified: bool
    domain: str
    brand_id: str
    forwarding_enabled: bool
    forwarded_email_last_received_at: int | None
    created_at: int
    updated_at: int
    type: str = "email_setting"


class EmailList(msgspec.Struct):
    data: list[EmailSettingOut]
    type: str = "list"


class CreateBrand(Request):
    name: str
    help_center_id: str | None = None


class CreateEmailSetting(Request):
    email: str
    # A brand's wire id (the workspace id for the default brand); the default brand when absent.
    brand_id: str | None = None
    verified: bool = False
    forwarding_enabled: bool = False


class UpdateEmailSetting(Request):
    verified: bool | UnsetType = UNSET
    forwarding_enabled: bool | UnsetType = UNSET
    forwarded_email_last_received_at: int | None | UnsetType = UNSET

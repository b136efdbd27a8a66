from __future__ import annotations

from typing import Any

from tidings.core.schemas import UNSET, Out, Request, UnsetType


def brand_wire_id(row: Any) -> str:
    """The default brand's id is the workspace id; the others are their row ids."""
    return row["workspace_id"] if row["is_default"] else str(row["id"])


class BrandOut(Out, tag="brand", kw_only=True):
    id: str
    name: str
    is_default: bool
    created_at: int
    updated_at: int
    help_center_id: str
    default_address_settings_id: str

    @classmethod
    def from_row(cls, row: Any, default_address_id: int) -> BrandOut:
        return cls(
            id=brand_wire_id(row),
            name=row["name"],
            is_default=row["is_default"],
            created_at=row["created_at"],
            updated_at=row["updated_at"],
            help_center_id=row["help_center_id"] or "",
            default_address_settings_id=str(row["default_address_settings_id"] or default_address_id),
        )


class BrandList(Out, tag="list", kw_only=True):
    data: list[BrandOut]


class EmailSettingOut(Out, tag="email_setting", kw_only=True):
    id: str
    email: str
    verified: bool
    domain: str
    brand_id: str
    forwarding_enabled: bool
    forwarded_email_last_received_at: int | None
    created_at: int
    updated_at: int


class EmailList(Out, tag="list", kw_only=True):
    data: list[EmailSettingOut]


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

from __future__ import annotations

from typing import Any

import msgspec

from tidings.core.schemas import UNSET, Out, Request, UnsetType


class VisitorAvatar(Out, tag="avatar"):
    image_url: str | None


class VisitorOut(Out, tag="visitor"):
    id: str
    user_id: str
    anonymous: bool
    email: str
    phone: str | None
    name: str | None
    pseudonym: str | None
    avatar: VisitorAvatar
    app_id: str
    companies: dict[str, Any]
    location_data: dict[str, Any]
    last_request_at: int | None
    created_at: int
    remote_created_at: int
    signed_up_at: int
    updated_at: int
    session_count: int
    social_profiles: dict[str, Any]
    owner_id: str | None
    unsubscribed_from_emails: bool
    marked_email_as_spam: bool
    has_hard_bounced: bool
    tags: dict[str, Any]
    segments: dict[str, Any]
    custom_attributes: dict[str, Any]
    referrer: str | None = None
    utm_campaign: str | None = None
    utm_content: str | None = None
    utm_medium: str | None = None
    utm_source: str | None = None
    utm_term: str | None = None
    do_not_track: bool | None = None

    @classmethod
    def from_row(cls, row: Any) -> VisitorOut:
        return cls(
            id=row["id"],
            user_id=row["user_id"],
            anonymous=not row["email"],
            email=row["email"] or "",
            phone=row["phone"],
            name=row["name"],
            pseudonym=row["pseudonym"],
            avatar=VisitorAvatar(image_url=None),
            app_id=row["workspace_id"],
            companies={"type": "company.list", "companies": []},
            location_data={},
            last_request_at=None,
            created_at=row["created_at"],
            remote_created_at=row["created_at"],
            signed_up_at=row["created_at"],
            updated_at=row["updated_at"],
            session_count=0,
            social_profiles={"type": "social_profile.list", "social_profiles": []},
            owner_id=None,
            unsubscribed_from_emails=False,
            marked_email_as_spam=False,
            has_hard_bounced=False,
            tags={"type": "tag.list", "tags": []},
            segments={"type": "segment.list", "segments": []},
            custom_attributes=dict(row["custom_attributes"] or {}),
        )


class UpdateVisitorRequest(Request):
    id: str | None = None
    user_id: str | None = None
    name: str | None | UnsetType = UNSET
    custom_attributes: dict[str, Any] | UnsetType = UNSET


class Identifiers(msgspec.Struct, forbid_unknown_fields=False):
    id: str | None = None
    user_id: str | None = None
    email: str | None = None


class ConvertVisitorRequest(Request):
    type: str | None = None
    user: Identifiers | None = None
    visitor: Identifiers | None = None


class CreateVisitor(Request):
    """Management API body: a visitor as the Messenger would create one."""

    user_id: str | None = None
    name: str | None = None
    email: str | None = None
    phone: str | None = None
    pseudonym: str | None = None

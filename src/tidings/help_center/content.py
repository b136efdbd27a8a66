"""What the help center's content areas share: its locales, public URLs, and which help center
is the workspace's."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from tidings.core import clock
from tidings.core.errors import found, invalid, not_found
from tidings.core.uow import UnitOfWork
from tidings.help_center import storage

# The keys of `article_translated_content` / `group_translated_content` [spec].
LOCALES = frozenset(
    "ar bg bs ca cs da de el en es et fi fr he hr hu id it ja ko lt lv mn nb nl pl pt ro ru sl sr sv tr vi "
    "pt-BR zh-CN zh-TW".split()
)
# Intercom's hosted help centers live under intercom.help/<identifier> unless a custom domain is set.
HOSTED_BASE = "https://intercom.help"
DEFAULT_ICON = "book-bookmark"


def slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:80]


def help_center_url(row: Any) -> str:
    return f"https://{row['custom_domain']}" if row["custom_domain"] else f"{HOSTED_BASE}/{row['identifier']}"


def content_url(help_center: Any, locale: str, kind: str, object_id: int, title: str) -> str:
    """e.g. https://intercom.help/acme/en/articles/42-thanks-for-everything"""
    name = slug(title)
    return f"{help_center_url(help_center)}/{locale}/{kind}/{object_id}" + (f"-{name}" if name else "")


def check_locale(locale: Any, field: str) -> str:
    if not isinstance(locale, str) or locale not in LOCALES:
        raise invalid(f"{field} has an unsupported locale: {locale}", field)
    return locale


async def workspace_help_center(uow: UnitOfWork) -> Any:
    """The workspace's default help center: every workspace has one (made with it, or by migration
    0300 for workspaces older than help centers)."""
    row = found(await storage.default_help_center(uow), not_found("The workspace has no help center"))
    return row


async def seed_default_help_center(uow: UnitOfWork, name: str) -> int:
    now = clock.now()
    return await storage.insert_help_center(
        uow,
        {
            "identifier": slug(f"{name}-{uow.workspace_id}") or uow.workspace_id,
            "display_name": f"{name} Help Center",
            "website_turned_on": True,
            "custom_domain": None,
            "locales": ["en"],
            "is_default": True,
            "created_at": now,
            "updated_at": now,
        },
    )


async def workspace_locales(uow: UnitOfWork) -> list[str]:
    """The workspace's help-center languages, default first (the default help center's)."""
    return list((await workspace_help_center(uow))["locales"])

"""First start: migrate, create the `default` workspace with an admin and a token, and the admin key."""

from __future__ import annotations

import asyncio
import secrets
from dataclasses import dataclass
from pathlib import Path

from tidings.config import Settings
from tidings.core.uow import transaction
from tidings.core.workspaces import issue_token, list_workspaces
from tidings.db import migrate
from tidings.db.storage import open_storage
from tidings.management.provisioning import create_workspace

ADMIN_KEY_FILE = "admin_key"


@dataclass(frozen=True, slots=True)
class FirstStart:
    workspace_id: str
    token: str


def _key_path(settings: Settings) -> Path:
    return settings.data_dir / ADMIN_KEY_FILE


def load_admin_key(settings: Settings) -> str:
    """TIDINGS_ADMIN_KEY, else the key kept in the data directory (made on first start)."""
    if settings.admin_key:
        return settings.admin_key
    path = _key_path(settings)
    if path.exists():
        return path.read_text().strip()
    return ensure_admin_key(settings)[0]


def ensure_admin_key(settings: Settings) -> tuple[str, bool]:
    """The admin key, and whether it was generated just now."""
    if settings.admin_key:
        return settings.admin_key, False
    path = _key_path(settings)
    if path.exists():
        return path.read_text().strip(), False
    path.parent.mkdir(parents=True, exist_ok=True)
    key = "adm_" + secrets.token_urlsafe(32)
    path.write_text(key + "\n")
    path.chmod(0o600)
    return key, True


async def _seed(settings: Settings) -> FirstStart | None:
    storage = open_storage(settings.resolved_database_url)
    try:
        async with transaction(storage) as tx:
            if await list_workspaces(tx):
                return None  # nothing written: the empty transaction commits
            uow = await create_workspace(tx, "default")
            issued = await issue_token(uow, "bootstrap", token=settings.bootstrap_token)
        return FirstStart(workspace_id=uow.workspace_id, token=issued.token)
    finally:
        await storage.close()


def prepare(settings: Settings) -> tuple[FirstStart | None, str, bool]:
    """Migrate to head and seed an empty database. Returns (first start, admin key, key is new)."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    migrate.upgrade(settings.resolved_database_url)
    first = asyncio.run(_seed(settings))
    key, key_is_new = ensure_admin_key(settings)
    return first, key, key_is_new

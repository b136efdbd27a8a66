"""Imports every area's tables so that `metadata` is complete (Alembic, resets)."""

from __future__ import annotations

import tidings.admins.storage
import tidings.ai_content.storage
import tidings.contacts.storage
import tidings.conversations.storage
import tidings.core.tables
import tidings.custom_channel.storage
import tidings.custom_objects.storage
import tidings.fin.storage
import tidings.tags.storage
import tidings.teams.storage
import tidings.webhooks.storage  # noqa: F401
from tidings.db.metadata import metadata

__all__ = ["metadata"]

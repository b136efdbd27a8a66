"""Imports every area's tables so that `metadata` is complete (Alembic, resets)."""

from __future__ import annotations

import tidings.admins.storage
import tidings.ai_content.storage
import tidings.articles.storage
import tidings.away_status_reasons.storage
import tidings.brands.storage
import tidings.calls.storage
import tidings.companies.storage
import tidings.contacts.storage
import tidings.content_snippets.storage
import tidings.conversations.storage
import tidings.core.tables
import tidings.custom_channel.storage
import tidings.custom_objects.storage
import tidings.data_attributes.storage
import tidings.data_connectors.storage
import tidings.data_events.storage
import tidings.events.storage
import tidings.exports.storage
import tidings.fin.storage
import tidings.folders.storage
import tidings.help_center.storage
import tidings.inbox.storage
import tidings.intercom_import.storage
import tidings.internal_articles.storage
import tidings.jobs.storage
import tidings.macros.storage
import tidings.news.storage
import tidings.notes.storage
import tidings.segments.storage
import tidings.subscriptions.storage
import tidings.switch.storage
import tidings.tags.storage
import tidings.teams.storage
import tidings.tickets.storage
import tidings.uploads.storage
import tidings.visitors.storage
import tidings.workflows.storage  # noqa: F401
from tidings.db.metadata import metadata

# Indexes a migration creates by hand (GIN, expression or collation indexes, one dialect only):
# autogenerate must not propose dropping them.
MANUAL_INDEXES = frozenset(
    {
        "ix_contacts_custom_attributes",
        "ix_contacts_name_prefix",
        "ix_content_passages_tsv",
        # PostgreSQL's trigram indexes of the inbox's search (migration 0840).
        "ix_conversations_source_body_trgm",
        "ix_conversations_title_trgm",
        "ix_conversation_parts_body_trgm",
    }
)

__all__ = ["MANUAL_INDEXES", "metadata"]

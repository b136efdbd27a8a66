"""Every area's tables, route handlers, job handlers and listeners: the one place a new area is registered."""

from __future__ import annotations

from types import ModuleType

from litestar.types import ControllerRouterHandler

import tidings.admins.storage
import tidings.ai_content.storage
import tidings.articles.storage
import tidings.away_status_reasons.storage
import tidings.brands.storage
import tidings.calls.storage
import tidings.companies.storage
import tidings.contacts.storage
import tidings.content_snippets.storage
import tidings.control.storage
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
import tidings.workflows.storage
from tidings.admins.routes import AdminsController, MeController
from tidings.ai_content.routes import ContentImportSourcesController, ExternalPagesController
from tidings.articles.export import KNOWLEDGE_GROUPS
from tidings.articles.routes import ArticlesController
from tidings.away_status_reasons.routes import AwayStatusReasonsController, AwayStatusReasonsSetupController
from tidings.brands.routes import BrandsController, BrandsSetupController, EmailsController
from tidings.calls.routes import CallsController, CallsSetupController, FinVoiceController
from tidings.companies.routes import CompaniesController, ContactCompaniesController
from tidings.contacts.routes import ContactsController, ContactTagsController
from tidings.content_snippets.routes import ContentSnippetsController
from tidings.control.routes import ClockController, FaultsController, RequestLogController, SnapshotsController
from tidings.conversations import engine as conversations_engine
from tidings.conversations.routes import ConversationsController, MessagesController
from tidings.custom_channel import outbound as custom_channel_outbound
from tidings.custom_channel.routes import CustomChannelEventsController, CustomChannelSettingsController
from tidings.custom_objects.routes import CustomObjectInstancesController, CustomObjectTypesController
from tidings.data_attributes.routes import DataAttributesController
from tidings.data_connectors.routes import DataConnectorsController
from tidings.data_events.routes import DataEventsController
from tidings.exports import service as exports_service
from tidings.exports.content import AI_CONTENT_GROUPS, ContentGroup
from tidings.exports.routes import ContentDataExportController, ReportingDataExportController
from tidings.fin.routes import FinAgentController, FinSettingsController
from tidings.folders.routes import FoldersController
from tidings.help_center.routes import CollectionsController, HelpCentersController, HelpCenterSettingsController
from tidings.inbox.routes import InboxAuthController, InboxController
from tidings.internal_articles.routes import InternalArticlesController
from tidings.jobs.routes import JobsController
from tidings.jobs.runner import JobHandler
from tidings.macros.routes import MacrosController, MacrosSetupController
from tidings.management.routes import HealthController, ManagementController
from tidings.news.routes import NewsfeedsController, NewsfeedSettingsController, NewsItemsController
from tidings.notes.routes import CompanyNotesController, ContactNotesController, NotesController
from tidings.segments.routes import ContactSegmentsController, SegmentsController
from tidings.subscriptions.routes import ContactSubscriptionsController, SubscriptionTypesController
from tidings.switch.routes import SwitchController, SwitchSetupController
from tidings.tags.routes import TagsController
from tidings.teams.routes import TeamsController
from tidings.tickets import service as tickets_service
from tidings.tickets.routes import TicketsController, TicketStatesController, TicketTypesController
from tidings.uploads.routes import UploadsController
from tidings.visitors.routes import VisitorsController
from tidings.webhooks.management import WebhooksController
from tidings.webhooks.sse import EventStreamController
from tidings.workflows.routes import WorkflowsController, WorkflowsSetupController

# Every module that defines tables: importing them here completes `tidings.db.metadata.metadata`,
# which Alembic diffs (`db/migrations/env.py` imports this module) and resets and snapshots walk.
# A new area's `storage.py` is added here.
TABLE_MODULES: tuple[ModuleType, ...] = (
    tidings.admins.storage,
    tidings.ai_content.storage,
    tidings.articles.storage,
    tidings.away_status_reasons.storage,
    tidings.brands.storage,
    tidings.calls.storage,
    tidings.companies.storage,
    tidings.contacts.storage,
    tidings.content_snippets.storage,
    tidings.control.storage,
    tidings.conversations.storage,
    tidings.core.tables,
    tidings.custom_channel.storage,
    tidings.custom_objects.storage,
    tidings.data_attributes.storage,
    tidings.data_connectors.storage,
    tidings.data_events.storage,
    tidings.events.storage,
    tidings.exports.storage,
    tidings.fin.storage,
    tidings.folders.storage,
    tidings.help_center.storage,
    tidings.inbox.storage,
    tidings.intercom_import.storage,
    tidings.internal_articles.storage,
    tidings.jobs.storage,
    tidings.macros.storage,
    tidings.news.storage,
    tidings.notes.storage,
    tidings.segments.storage,
    tidings.subscriptions.storage,
    tidings.switch.storage,
    tidings.tags.storage,
    tidings.teams.storage,
    tidings.tickets.storage,
    tidings.uploads.storage,
    tidings.visitors.storage,
    tidings.workflows.storage,
)

# Intercom API routes: every handler here gets bearer auth and a workspace-scoped unit of work.
INTERCOM_ROUTES: list[ControllerRouterHandler] = [
    MeController,
    AdminsController,
    TeamsController,
    TagsController,
    CustomObjectInstancesController,
    TicketStatesController,
    TicketTypesController,
    TicketsController,
    JobsController,
    ConversationsController,
    MessagesController,
    ContactsController,
    ContactTagsController,
    DataAttributesController,
    CompaniesController,
    ContactCompaniesController,
    SegmentsController,
    ContactSegmentsController,
    NotesController,
    ContactNotesController,
    CompanyNotesController,
    SubscriptionTypesController,
    ContactSubscriptionsController,
    VisitorsController,
    ContentImportSourcesController,
    ExternalPagesController,
    FinAgentController,
    CustomChannelEventsController,
    ArticlesController,
    HelpCentersController,
    CollectionsController,
    InternalArticlesController,
    ContentSnippetsController,
    FoldersController,
    NewsItemsController,
    NewsfeedsController,
    AwayStatusReasonsController,
    BrandsController,
    EmailsController,
    MacrosController,
    DataEventsController,
    CallsController,
    FinVoiceController,
    SwitchController,
    WorkflowsController,
    DataConnectorsController,
    ContentDataExportController,
    ReportingDataExportController,
]

# tidings' own routes under /_tidings (management API, event stream): authorised by their own keys.
MANAGEMENT_ROUTES: list[ControllerRouterHandler] = [
    HealthController,
    ManagementController,
    CustomObjectTypesController,
    WebhooksController,
    EventStreamController,
    FinSettingsController,
    CustomChannelSettingsController,
    UploadsController,
    HelpCenterSettingsController,
    NewsfeedSettingsController,
    AwayStatusReasonsSetupController,
    BrandsSetupController,
    MacrosSetupController,
    CallsSetupController,
    SwitchSetupController,
    WorkflowsSetupController,
    ClockController,
    SnapshotsController,
    RequestLogController,
    FaultsController,
]

# The teammates' web inbox under /inbox (session cookies, not tokens), unless TIDINGS_INBOX_ENABLED=0.
INBOX_ROUTES: list[ControllerRouterHandler] = [InboxAuthController, InboxController]

# Background jobs by kind (`tidings.jobs`): what the job runner calls for each.
# What the content data export holds, one CSV per group (`tidings.exports.content`).
CONTENT_EXPORT_GROUPS: list[ContentGroup] = [*AI_CONTENT_GROUPS, *KNOWLEDGE_GROUPS]

JOB_HANDLERS: dict[str, JobHandler] = {
    tickets_service.CREATE_TICKET_JOB: tickets_service.run_create_job,
    exports_service.CONTENT_EXPORT_JOB: exports_service.content_export_job(CONTENT_EXPORT_GROUPS),
    exports_service.REPORTING_EXPORT_JOB: exports_service.run_reporting_export,
}

# What other areas run when a conversation part is added (`conversations.engine.add_part` calls each
# with `(uow, conversation_id, part_id)` in the part's transaction).
PART_LISTENERS: list[conversations_engine.PartListener] = [custom_channel_outbound.on_part_added]


def register_listeners() -> None:
    """Wire every listener into the area that calls it; `create_app` calls this at start-up (no
    module registers itself when imported). Idempotent."""
    conversations_engine.PART_LISTENERS[:] = PART_LISTENERS

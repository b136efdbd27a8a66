"""Every area's route handlers, job handlers and listeners: the one place a new area is registered."""

from __future__ import annotations

from litestar.types import ControllerRouterHandler

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

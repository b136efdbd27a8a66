"""Every area's route handlers, in one list: the one place a new area is registered."""

from __future__ import annotations

from litestar.types import ControllerRouterHandler

from tidings.admins.routes import AdminsController, MeController
from tidings.ai_content.routes import ContentImportSourcesController, ExternalPagesController
from tidings.companies.routes import CompaniesController, ContactCompaniesController
from tidings.contacts.routes import ContactsController, ContactTagsController
from tidings.control.routes import ClockController, FaultsController, RequestLogController, SnapshotsController
from tidings.conversations.routes import ConversationsController, MessagesController
from tidings.custom_channel.routes import CustomChannelEventsController, CustomChannelSettingsController
from tidings.custom_objects.routes import CustomObjectInstancesController, CustomObjectTypesController
from tidings.data_attributes.routes import DataAttributesController
from tidings.fin.routes import FinAgentController, FinSettingsController
from tidings.jobs.routes import JobsController
from tidings.jobs.runner import JobHandler
from tidings.management.routes import HealthController, ManagementController
from tidings.notes.routes import CompanyNotesController, ContactNotesController, NotesController
from tidings.segments.routes import ContactSegmentsController, SegmentsController
from tidings.subscriptions.routes import ContactSubscriptionsController, SubscriptionTypesController
from tidings.tags.routes import TagsController
from tidings.teams.routes import TeamsController
from tidings.tickets import service as tickets_service
from tidings.tickets.routes import TicketsController, TicketStatesController, TicketTypesController
from tidings.uploads.routes import UploadsController
from tidings.visitors.routes import VisitorsController
from tidings.webhooks.management import WebhooksController
from tidings.webhooks.sse import EventStreamController

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
    ClockController,
    SnapshotsController,
    RequestLogController,
    FaultsController,
]

# Background jobs by kind (`tidings.jobs`): what the job runner calls for each.
JOB_HANDLERS: dict[str, JobHandler] = {
    tickets_service.CREATE_TICKET_JOB: tickets_service.run_create_job,
}

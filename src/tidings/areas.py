"""Every area's route handlers, in one list: the one place a new area is registered."""

from __future__ import annotations

from litestar.types import ControllerRouterHandler

from tidings.admins.routes import AdminsController, MeController
from tidings.ai_content.routes import ContentImportSourcesController, ExternalPagesController
from tidings.conversations.routes import ConversationsController, MessagesController
from tidings.custom_channel.routes import CustomChannelEventsController
from tidings.custom_objects.routes import CustomObjectInstancesController
from tidings.fin.routes import FinAgentController
from tidings.tags.routes import TagsController
from tidings.teams.routes import TeamsController

# Intercom API routes: every handler here gets bearer auth and a workspace-scoped unit of work.
INTERCOM_ROUTES: list[ControllerRouterHandler] = [
    MeController,
    AdminsController,
    TeamsController,
    TagsController,
    CustomObjectInstancesController,
    ContentImportSourcesController,
    ExternalPagesController,
    ConversationsController,
    MessagesController,
    FinAgentController,
    CustomChannelEventsController,
]

"""tidings' own management API under /_tidings/v1: what Intercom does in its web UI."""

from __future__ import annotations

from litestar import Controller, Response, delete, get, post, put
from litestar.datastructures import State
from litestar.di import Provide
from litestar.params import FromPath, JSONBody

from tidings.admins import service as admin_service
from tidings.admins.schemas import AdminOut
from tidings.companies.schemas import SegmentOut
from tidings.control.seeds import seed_of, set_seed
from tidings.core.errors import not_found
from tidings.core.ids import parse_numeric_id
from tidings.core.rate_limits import per_window
from tidings.core.workspaces import (
    find_workspace,
    issue_token,
    list_workspaces,
    reset_workspace,
    revoke_token,
    set_rate_limit,
)
from tidings.db.storage import ping
from tidings.inbox import teammates
from tidings.management.deps import ControlTx, provide_control_tx, workspace_uow
from tidings.management.provisioning import create_workspace
from tidings.management.schemas import (
    CreateAdmin,
    CreateTeam,
    CreateToken,
    CreateWorkspace,
    LoginLinkOut,
    RateLimitOut,
    RateLimitUpdate,
    ResetWorkspace,
    SetPassword,
    Status,
    TokenOut,
    WorkspaceList,
    WorkspaceOut,
)
from tidings.segments import service as segment_service
from tidings.segments.schemas import CreateSegment
from tidings.subscriptions import service as subscription_service
from tidings.subscriptions.schemas import CreateSubscriptionType, SubscriptionTypeOut
from tidings.teams import service as team_service
from tidings.teams.schemas import TeamOut
from tidings.visitors import service as visitor_service
from tidings.visitors.schemas import CreateVisitor, VisitorOut

PREFIX = "/_tidings/v1"


class HealthController(Controller):
    path = PREFIX
    include_in_schema = False

    @get("/health", operation_id="tidingsHealth")
    async def health(self) -> Status:
        return Status(status="ok")

    @get("/ready", operation_id="tidingsReady")
    async def ready(self, state: State) -> Response[Status]:
        try:
            await ping(state.storage)
        except Exception:
            return Response(Status(status="unavailable"), status_code=503)
        return Response(Status(status="ready"))


def _rate_limit(per_minute: int, state: State) -> RateLimitOut:
    window = state.settings.rate_limit_window_seconds
    return RateLimitOut(
        requests_per_minute=per_minute,
        window_seconds=window,
        requests_per_window=per_window(per_minute, window) if per_minute else None,
    )


class ManagementController(Controller):
    path = PREFIX + "/workspaces"
    dependencies = {"tx": Provide(provide_control_tx)}

    @post("/", operation_id="tidingsCreateWorkspace", status_code=201)
    async def create_workspace(self, data: JSONBody[CreateWorkspace], tx: ControlTx) -> WorkspaceOut:
        uow = await create_workspace(tx, data.name, seed=data.seed_text)
        return WorkspaceOut.from_row(await find_workspace(tx, uow.workspace_id))

    @get("/", operation_id="tidingsListWorkspaces")
    async def list_workspaces(self, tx: ControlTx) -> WorkspaceList:
        return WorkspaceList(data=[WorkspaceOut.from_row(r) for r in await list_workspaces(tx)])

    @post("/{ws:str}/access_tokens", operation_id="tidingsCreateAccessToken", status_code=201)
    async def create_access_token(self, ws: FromPath[str], data: JSONBody[CreateToken], tx: ControlTx) -> TokenOut:
        issued = await issue_token(await workspace_uow(tx, ws), data.name, data.scopes)
        return TokenOut(id=str(issued.id), name=issued.name, token=issued.token, scopes=issued.scopes)

    @delete("/{ws:str}/access_tokens/{token_id:str}", operation_id="tidingsRevokeAccessToken", status_code=200)
    async def revoke_access_token(
        self, ws: FromPath[str], token_id: FromPath[str], tx: ControlTx, state: State
    ) -> Status:
        numeric = parse_numeric_id(token_id)
        if numeric is not None:
            # Before the revocation commits (after this returns), so no process caches it meanwhile.
            await state.tokens.revoking(numeric)
        if numeric is None or not await revoke_token(await workspace_uow(tx, ws), numeric):
            raise not_found(f"Access token {token_id} not found")
        state.tokens.forget_token_id(numeric)
        return Status(status="revoked")

    @get("/{ws:str}/rate_limit", operation_id="tidingsGetRateLimit")
    async def get_rate_limit(self, ws: FromPath[str], tx: ControlTx, state: State) -> RateLimitOut:
        await workspace_uow(tx, ws)
        return _rate_limit((await find_workspace(tx, ws))["rate_limit_per_minute"], state)

    @put("/{ws:str}/rate_limit", operation_id="tidingsSetRateLimit")
    async def put_rate_limit(
        self, ws: FromPath[str], data: JSONBody[RateLimitUpdate], tx: ControlTx, state: State
    ) -> RateLimitOut:
        await workspace_uow(tx, ws)
        await set_rate_limit(tx, ws, data.requests_per_minute)
        state.tokens.forget_workspace(ws)
        return _rate_limit(data.requests_per_minute, state)

    @post("/{ws:str}/admins", operation_id="tidingsCreateAdmin", status_code=201)
    async def create_admin(self, ws: FromPath[str], data: JSONBody[CreateAdmin], tx: ControlTx) -> AdminOut:
        return await admin_service.create(await workspace_uow(tx, ws), data.name, data.email, data.job_title)

    @put("/{ws:str}/admins/{admin_id:str}/password", operation_id="tidingsSetAdminPassword")
    async def set_admin_password(
        self, ws: FromPath[str], admin_id: FromPath[str], data: JSONBody[SetPassword], tx: ControlTx
    ) -> Status:
        uow = await workspace_uow(tx, ws)
        await teammates.set_password(uow, await teammates.admin_by_id(uow, admin_id), data.password)
        return Status(status="password_set")

    @post("/{ws:str}/admins/{admin_id:str}/login_link", operation_id="tidingsCreateLoginLink", status_code=201)
    async def create_login_link(
        self, ws: FromPath[str], admin_id: FromPath[str], tx: ControlTx, state: State
    ) -> LoginLinkOut:
        uow = await workspace_uow(tx, ws)
        minutes = state.settings.inbox_login_link_minutes
        url = await teammates.login_link(
            uow, await teammates.admin_by_id(uow, admin_id), state.settings.base_url, minutes
        )
        return LoginLinkOut(url=url, expires_in=minutes * 60)

    @delete("/{ws:str}/admins/{admin_id:str}", operation_id="tidingsRemoveAdmin", status_code=200)
    async def remove_admin(self, ws: FromPath[str], admin_id: FromPath[str], tx: ControlTx) -> Status:
        uow = await workspace_uow(tx, ws)
        await teammates.remove_admin(uow, await teammates.admin_by_id(uow, admin_id))
        return Status(status="removed")

    @post("/{ws:str}/teams", operation_id="tidingsCreateTeam", status_code=201)
    async def create_team(self, ws: FromPath[str], data: JSONBody[CreateTeam], tx: ControlTx) -> TeamOut:
        return await team_service.create(await workspace_uow(tx, ws), data.name, data.admin_ids)

    @post("/{ws:str}/segments", operation_id="tidingsCreateSegment", status_code=201)
    async def create_segment(self, ws: FromPath[str], data: JSONBody[CreateSegment], tx: ControlTx) -> SegmentOut:
        return await segment_service.create(await workspace_uow(tx, ws), data)

    @post("/{ws:str}/subscription_types", operation_id="tidingsCreateSubscriptionType", status_code=201)
    async def create_subscription_type(
        self, ws: FromPath[str], data: JSONBody[CreateSubscriptionType], tx: ControlTx
    ) -> SubscriptionTypeOut:
        return await subscription_service.create(await workspace_uow(tx, ws), data)

    @post("/{ws:str}/visitors", operation_id="tidingsCreateVisitor", status_code=201)
    async def create_visitor(self, ws: FromPath[str], data: JSONBody[CreateVisitor], tx: ControlTx) -> VisitorOut:
        return await visitor_service.create(await workspace_uow(tx, ws), data)

    @post("/{ws:str}/reset", operation_id="tidingsResetWorkspace", status_code=200)
    async def reset(self, ws: FromPath[str], tx: ControlTx, data: JSONBody[ResetWorkspace | None] = None) -> Status:
        await reset_workspace(await workspace_uow(tx, ws))
        # A seeded workspace starts its id sequence again (from a new seed, when one is given).
        seed = data.seed_text if data is not None and data.seed is not None else await seed_of(tx, ws)
        if seed is not None:
            await set_seed(tx, ws, seed)
        return Status(status="reset")

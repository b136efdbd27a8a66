"""The `tidings` command line."""

from __future__ import annotations

import asyncio
import os
from datetime import UTC, datetime
from typing import Annotated

import msgspec
import typer
import uvicorn

from tidings.bootstrap import prepare
from tidings.config import Settings
from tidings.core.workspaces import create_workspace, first_admin_id, issue_token, list_workspaces
from tidings.db import migrate as migrations
from tidings.db.storage import open_storage
from tidings.management.deps import workspace_uow
from tidings.webhooks import service as webhook_service
from tidings.webhooks.runtime import run_worker
from tidings.webhooks.service import MAX_LIMIT

app = typer.Typer(help="tidings: a self-hosted Intercom-compatible server.", no_args_is_help=True)
token_app = typer.Typer(help="Access tokens.", no_args_is_help=True)
workspace_app = typer.Typer(help="Workspaces.", no_args_is_help=True)
app.add_typer(token_app, name="token")
app.add_typer(workspace_app, name="workspace")


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Interface to listen on.")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on.")] = None,
    workers: Annotated[int | None, typer.Option(help="Worker processes.")] = None,
) -> None:
    """Migrate, seed an empty database, and serve the API."""
    settings = Settings()
    first, admin_key, key_is_new = prepare(settings)
    if first is not None:
        typer.echo(f"Created workspace 'default' ({first.workspace_id}).")
        typer.echo(f"Access token: {first.token}")
    if key_is_new:
        typer.echo(f"Management admin key: {admin_key}")
    # The worker processes read their settings from the environment: the interface decides
    # whether webhooks may go to private addresses, and links point at the port.
    os.environ["TIDINGS_HOST"] = host or settings.host
    os.environ["TIDINGS_PORT"] = str(port or settings.port)
    uvicorn.run(
        "tidings.app:asgi_app",
        factory=True,
        host=host or settings.host,
        port=port or settings.port,
        workers=workers or settings.workers,
        log_level=settings.log_level,
        access_log=False,
        lifespan="on",
    )


@app.command()
def migrate() -> None:
    """Apply database migrations up to the newest."""
    settings = Settings()
    migrations.upgrade(settings.resolved_database_url)
    typer.echo(f"Database at revision {migrations.current_revision(settings.resolved_database_url)}.")


async def _in_transaction(work):  # type: ignore[no-untyped-def]
    storage = open_storage(Settings().resolved_database_url)
    tx = await storage.begin(write=True)
    try:
        result = await work(tx)
        await tx.commit()
        return result
    except BaseException:
        await tx.rollback()
        raise
    finally:
        await storage.close()


@workspace_app.command("create")
def workspace_create(name: str) -> None:
    """Create a workspace with an owner admin and print its id and a first access token."""
    migrations.upgrade(Settings().resolved_database_url)

    async def work(tx):  # type: ignore[no-untyped-def]
        uow = await create_workspace(tx, name)
        return uow.workspace_id, await issue_token(uow, "cli")

    workspace_id, issued = asyncio.run(_in_transaction(work))
    typer.echo(f"Workspace: {workspace_id}")
    typer.echo(f"Access token: {issued.token}")


@token_app.command("create")
def token_create(
    workspace: Annotated[str, typer.Argument(help="Workspace id.")],
    name: Annotated[str, typer.Option(help="A name for the token.")] = "cli",
) -> None:
    """Create an access token for a workspace and print it (it is shown only once)."""

    async def work(tx):  # type: ignore[no-untyped-def]
        uow = await workspace_uow(tx, workspace)
        uow.admin_id = await first_admin_id(uow)
        return await issue_token(uow, name)

    issued = asyncio.run(_in_transaction(work))
    typer.echo(issued.token)


@app.command()
def worker() -> None:
    """Run a webhook delivery worker on its own (scale-out next to `tidings serve`)."""
    settings = Settings()
    migrations.upgrade(settings.resolved_database_url)
    asyncio.run(run_worker(settings))


@app.command()
def deliveries(
    workspace: Annotated[str | None, typer.Option(help="Workspace id (default: the first one).")] = None,
    status: Annotated[str | None, typer.Option(help="pending, delivered or failed.")] = None,
    topic: Annotated[str | None, typer.Option(help="Only this topic.")] = None,
    limit: Annotated[int, typer.Option(help="How many, newest first.")] = 20,
    show: Annotated[str | None, typer.Option(help="Print one delivery in full (payload, answer).")] = None,
    redeliver: Annotated[str | None, typer.Option(help="Queue this delivery again.")] = None,
) -> None:
    """What was sent to webhooks, when, and what the receivers answered."""

    async def work(tx):  # type: ignore[no-untyped-def]
        ws = workspace or (await list_workspaces(tx))[0]["id"]
        uow = await workspace_uow(tx, ws)
        if redeliver is not None:
            return [await webhook_service.redeliver(uow, redeliver)]
        found = await webhook_service.list_deliveries(uow, status, topic, limit if show is None else MAX_LIMIT)
        return [d for d in found if show is None or d.id == show]

    found = asyncio.run(_in_transaction(work))
    if show is not None or redeliver is not None:
        for delivery in found:
            typer.echo(msgspec.json.format(msgspec.json.encode(delivery)).decode())
        if not found:
            raise typer.Exit(1)
        return
    typer.echo(f"{'id':>8}  {'created':19}  {'status':9}  {'tries':>5}  {'code':>4}  {'topic':32}  url")
    for d in found:
        created = datetime.fromtimestamp(d.created_at, UTC).strftime("%Y-%m-%d %H:%M:%S")
        code = "" if d.last_status_code is None else str(d.last_status_code)
        typer.echo(f"{d.id:>8}  {created:19}  {d.status:9}  {d.attempts:>5}  {code:>4}  {d.topic:32}  {d.url}")

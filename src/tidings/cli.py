"""The `tidings` command line."""

from __future__ import annotations

import asyncio
import contextlib
import logging.config
import os
import shutil
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import httpx
import msgspec
import typer
import uvicorn

from tidings.admins.storage import first_admin_id
from tidings.ai_content import importer
from tidings.articles import importer as article_importer
from tidings.bootstrap import prepare
from tidings.config import Settings
from tidings.core.connections import TimedHttpProtocol
from tidings.core.errors import TidingsError
from tidings.core.uow import transaction
from tidings.core.workspaces import issue_token, list_workspaces
from tidings.db import migrate as migrations
from tidings.db.storage import open_storage
from tidings.inbox import teammates
from tidings.management.deps import workspace_uow
from tidings.management.provisioning import create_workspace
from tidings.observability import metrics
from tidings.observability.logs import logging_config
from tidings.webhooks import service as webhook_service
from tidings.webhooks.runtime import run_worker
from tidings.webhooks.safety import private_destinations_allowed
from tidings.webhooks.service import MAX_LIMIT

app = typer.Typer(help="tidings: a self-hosted Intercom-compatible server.", no_args_is_help=True)
token_app = typer.Typer(help="Access tokens.", no_args_is_help=True)
workspace_app = typer.Typer(help="Workspaces.", no_args_is_help=True)
app.add_typer(token_app, name="token")
app.add_typer(workspace_app, name="workspace")
import_app = typer.Typer(help="Bulk imports.", no_args_is_help=True)
admin_app = typer.Typer(help="Teammates' access to the inbox.", no_args_is_help=True)
app.add_typer(admin_app, name="admin")
app.add_typer(import_app, name="import")


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Interface to listen on.")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on.")] = None,
    workers: Annotated[int | None, typer.Option(help="Worker processes.")] = None,
) -> None:
    """Migrate, seed an empty database, and serve the API."""
    settings = Settings()
    log_config = logging_config(settings.log_level, settings.log_format)
    logging.config.dictConfig(log_config)
    first, admin_key, key_is_new = prepare(settings)
    if first is not None:
        typer.echo(f"Created workspace 'default' ({first.workspace_id}).")
        typer.echo(f"Access token: {first.token}")
    if key_is_new:
        typer.echo(f"Management admin key: {admin_key}")
    base_url = settings.model_copy(update={"host": host or settings.host, "port": port or settings.port}).base_url
    typer.echo(f"API reference: {base_url}/docs (management API: {base_url}/docs/management)")
    # The worker processes read their settings from the environment: links point at the port, and
    # the private-destination policy is decided here, once, from the interface actually listened on.
    os.environ["TIDINGS_HOST"] = host or settings.host
    os.environ["TIDINGS_PORT"] = str(port or settings.port)
    listening = settings.model_copy(update={"host": host or settings.host})
    os.environ["TIDINGS_ALLOW_PRIVATE_WEBHOOKS"] = "1" if private_destinations_allowed(listening) else "0"
    with metrics_directory():
        if settings.metrics_port:
            metrics.serve_on_port(settings.metrics_host, settings.metrics_port)
            typer.echo(f"Metrics: http://{settings.metrics_host}:{settings.metrics_port}/metrics")
        else:
            typer.echo(f"Metrics: {base_url}/metrics (with the admin key)")
        uvicorn.run(
            "tidings.app:asgi_app",
            factory=True,
            host=host or settings.host,
            port=port or settings.port,
            workers=workers or settings.workers,
            log_config=log_config,
            access_log=False,
            lifespan="on",
            http=TimedHttpProtocol,
            timeout_keep_alive=settings.keep_alive_seconds,
        )


@contextlib.contextmanager
def metrics_directory() -> Iterator[None]:
    """A fresh directory for the worker processes' metric samples, removed when the server stops."""
    if os.environ.get(metrics.MULTIPROC_ENV):
        yield  # the operator chose one (and clears it between runs)
        return
    directory = tempfile.mkdtemp(prefix="tidings-metrics-")
    os.environ[metrics.MULTIPROC_ENV] = directory
    try:
        yield
    finally:
        shutil.rmtree(directory, ignore_errors=True)


@app.command()
def health() -> None:
    """Exit 0 when the local server answers ready (the container's health check)."""
    settings = Settings()
    host = "127.0.0.1" if settings.host in ("0.0.0.0", "::", "") else settings.host
    try:
        ready = httpx.get(f"http://{host}:{settings.port}/_tidings/v1/ready", timeout=3).status_code == 200
    except httpx.HTTPError:
        ready = False
    typer.echo("ready" if ready else "not ready")
    raise typer.Exit(0 if ready else 1)


@app.command()
def migrate() -> None:
    """Apply database migrations up to the newest."""
    settings = Settings()
    migrations.upgrade(settings.resolved_database_url)
    typer.echo(f"Database at revision {migrations.current_revision(settings.resolved_database_url)}.")


async def _in_transaction(work):  # type: ignore[no-untyped-def]
    storage = open_storage(Settings().resolved_database_url)
    try:
        async with transaction(storage) as tx:
            return await work(tx)
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


async def _admin_uow(tx, workspace: str | None):  # type: ignore[no-untyped-def]
    return await workspace_uow(tx, workspace or (await list_workspaces(tx))[0]["id"])


WorkspaceOption = Annotated[str | None, typer.Option(help="Workspace id (default: the first one).")]


@admin_app.command("set-password")
def admin_set_password(
    email: Annotated[str, typer.Argument(help="The admin's email.")],
    workspace: WorkspaceOption = None,
    password: Annotated[str, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True)] = "",
) -> None:
    """Set the password a teammate signs in to the inbox with."""
    migrations.upgrade(Settings().resolved_database_url)

    async def work(tx):  # type: ignore[no-untyped-def]
        uow = await _admin_uow(tx, workspace)
        await teammates.set_password(uow, await teammates.admin_by_email(uow, email), password)

    _run_or_exit(work)
    typer.echo(f"Password set for {email}.")


@admin_app.command("login-link")
def admin_login_link(
    email: Annotated[str, typer.Argument(help="The admin's email.")], workspace: WorkspaceOption = None
) -> None:
    """Print a one-time link that signs the teammate in to the inbox."""
    settings = Settings()
    migrations.upgrade(settings.resolved_database_url)

    async def work(tx):  # type: ignore[no-untyped-def]
        uow = await _admin_uow(tx, workspace)
        admin = await teammates.admin_by_email(uow, email)
        return await teammates.login_link(uow, admin, settings.base_url, settings.inbox_login_link_minutes)

    typer.echo(_run_or_exit(work))


def _run_or_exit(work):  # type: ignore[no-untyped-def]
    try:
        return asyncio.run(_in_transaction(work))
    except TidingsError as error:
        typer.echo(f"Error: {error.items[0].message}", err=True)
        raise typer.Exit(1) from None


@app.command()
def worker() -> None:
    """Run a webhook delivery worker on its own (scale-out next to `tidings serve`)."""
    settings = Settings()
    logging.config.dictConfig(logging_config(settings.log_level, settings.log_format))
    if settings.metrics_port:
        metrics.serve_on_port(settings.metrics_host, settings.metrics_port)
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


@import_app.command("pages")
def import_pages(
    path: Annotated[Path, typer.Argument(help="A folder of .html/.md files, or a .jsonl file.", exists=True)],
    workspace: Annotated[str, typer.Option(help="Workspace id.")],
    source: Annotated[int | None, typer.Option(help="Content import source id (default: --source-url's).")] = None,
    source_url: Annotated[str | None, typer.Option(help="URL of the source to find or create.")] = None,
    base_url: Annotated[str | None, typer.Option(help="Page URLs for a folder: base URL + relative path.")] = None,
    ai_agent: Annotated[bool, typer.Option(help="Default AI agent availability.")] = True,
    copilot: Annotated[bool, typer.Option(help="Default Copilot availability.")] = False,
) -> None:
    """Upsert external pages (title, html or text, url, external_id) through the API's own code path."""
    settings = Settings()
    migrations.upgrade(settings.resolved_database_url)
    pages = importer.read_pages(path, base_url)

    async def run() -> importer.Summary:
        storage = open_storage(settings.resolved_database_url)
        try:
            tx = await storage.begin(write=False)
            try:
                await workspace_uow(tx, workspace)
            finally:
                await tx.rollback()
            url = source_url or path.resolve().as_uri()
            source_id = await importer.resolve_source(storage, workspace, source, url)
            with typer.progressbar(length=len(pages), label="Importing pages") as bar:
                summary = await importer.import_pages(
                    storage,
                    workspace,
                    source_id,
                    pages,
                    default_agent=ai_agent,
                    default_copilot=copilot,
                    progress=lambda: bar.update(1),
                )
            # Passages written before an embedder was configured (or while it failed) get their vectors now.
            summary.embedded = await importer.embed_missing(storage, workspace)
            return summary
        finally:
            await storage.close()

    try:
        summary = asyncio.run(run())
    except TidingsError as error:
        typer.echo(f"Error: {error}", err=True)
        raise typer.Exit(1) from None
    typer.echo(
        f"created {summary.created}, updated {summary.updated}, unchanged {summary.unchanged}, "
        f"failed {len(summary.failed)}"
    )
    if summary.embedded:
        typer.echo(f"embedded {summary.embedded} passages")
    for external_id, reason in summary.failed:
        typer.echo(f"  failed {external_id}: {reason}")
    if summary.failed:
        raise typer.Exit(1)


@import_app.command("intercom")
def import_intercom(
    url: Annotated[str, typer.Option(help="Base URL of the source: https://api.intercom.io or another tidings.")],
    token: Annotated[str, typer.Option(envvar="TIDINGS_IMPORT_TOKEN", help="The source's access token.")],
    workspace: Annotated[str, typer.Option(help="Workspace id here to copy into.")],
    limit: Annotated[int | None, typer.Option(help="Copy at most this many new objects; run again to go on.")] = None,
) -> None:
    """Copy a workspace from an Intercom-compatible server; a second run continues and makes no duplicates."""
    try:
        import intercom  # noqa: F401
    except ImportError:
        typer.echo("tidings import intercom needs the Intercom SDK: pip install 'tidings[intercom]'", err=True)
        raise typer.Exit(1) from None
    from tidings.intercom_import.run import import_workspace
    from tidings.intercom_import.source import Source

    settings = Settings()
    migrations.upgrade(settings.resolved_database_url)
    bars: list[Any] = []

    def progress(kind: Any, total: int) -> Any:
        for bar in bars:
            bar.render_finish()
        bars[:] = [typer.progressbar(length=total, label=f"{kind.label:>16}", show_pos=True)]
        bars[0].render_progress()
        return lambda: bars[0].update(1)

    async def run() -> Any:
        storage = open_storage(settings.resolved_database_url)
        try:
            tx = await storage.begin(write=False)
            try:
                await workspace_uow(tx, workspace)
            finally:
                await tx.rollback()
            return await import_workspace(storage, workspace, Source(url, token), progress, limit)
        finally:
            await storage.close()

    try:
        summary = asyncio.run(run())
    except TidingsError as error:
        typer.echo(f"Error: {error}", err=True)
        raise typer.Exit(1) from None
    for bar in bars:
        bar.render_finish()
    for label, tally in summary.kinds.items():
        line = f"{label:>16}: copied {tally.copied}, already here {tally.already}, failed {len(tally.failed)}"
        typer.echo(line)
        for source_id, reason in tally.failed:
            typer.echo(f"{'':>18}{source_id}: {reason}")
    if summary.stopped_at_limit:
        typer.echo(f"Stopped after {limit} new objects: run the same command again to continue.")


@import_app.command("articles")
def import_articles(
    path: Annotated[Path, typer.Argument(help="A help-center export (.jsonl) or a folder of Markdown.", exists=True)],
    workspace: Annotated[str, typer.Option(help="Workspace id.")],
    author_id: Annotated[
        int | None, typer.Option(help="Author of articles naming none (default: first admin).")
    ] = None,
    state: Annotated[str, typer.Option(help="State of articles that give none: published or draft.")] = "published",
) -> None:
    """Create collections and articles (each through the API's own code path); Fin can answer from them at once."""
    settings = Settings()
    migrations.upgrade(settings.resolved_database_url)
    records = article_importer.read_export(path)

    async def run() -> importer.Summary:
        storage = open_storage(settings.resolved_database_url)
        try:
            tx = await storage.begin(write=False)
            try:
                await workspace_uow(tx, workspace)
            finally:
                await tx.rollback()
            with typer.progressbar(length=len(records), label="Importing articles") as bar:
                return await article_importer.import_articles(
                    storage, workspace, records, author_id=author_id, state=state, progress=lambda: bar.update(1)
                )
        finally:
            await storage.close()

    try:
        summary = asyncio.run(run())
    except TidingsError as error:
        typer.echo(f"Error: {error}", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"created {summary.created}, failed {len(summary.failed)}")
    for name, reason in summary.failed:
        typer.echo(f"  failed {name}: {reason}")
    if summary.failed:
        raise typer.Exit(1)


# The control plane (docs/control-plane.md): its state lives in the running server, so these
# commands call its management API.
clock_app = typer.Typer(help="A workspace's clock: freeze, advance, back to real time.", no_args_is_help=True)
snapshot_app = typer.Typer(help="Snapshots of a workspace: save, restore, list, delete.", no_args_is_help=True)
faults_app = typer.Typer(help="Injected faults: add, list, clear.", no_args_is_help=True)
app.add_typer(clock_app, name="clock")
app.add_typer(snapshot_app, name="snapshot")
app.add_typer(faults_app, name="faults")

ServerUrl = Annotated[str | None, typer.Option("--url", help="The server (default: TIDINGS_PUBLIC_URL or host:port).")]
AdminKey = Annotated[str | None, typer.Option("--admin-key", help="Default: TIDINGS_ADMIN_KEY or the data dir's key.")]
WorkspaceArg = Annotated[str, typer.Argument(help="Workspace id.")]


def _control(workspace: str, url: str | None, admin_key: str | None):  # type: ignore[no-untyped-def]
    from tidings.bootstrap import load_admin_key
    from tidings.testing.control import WorkspaceControl

    settings = Settings()
    return WorkspaceControl(url or settings.base_url, admin_key or load_admin_key(settings), workspace)


def _run(workspace: str, url: str | None, admin_key: str | None, call) -> None:  # type: ignore[no-untyped-def]
    from tidings.testing.control import ControlError

    control = _control(workspace, url, admin_key)
    try:
        result = call(control)
    except ControlError as error:
        typer.echo(str(error), err=True)
        raise typer.Exit(1) from error
    finally:
        control.close()
    if result is not None:
        typer.echo(msgspec.json.format(msgspec.json.encode(result), indent=2).decode())


@clock_app.command("show")
def clock_show(workspace: WorkspaceArg, url: ServerUrl = None, admin_key: AdminKey = None) -> None:
    """The workspace's time, and whether it is frozen or shifted."""
    _run(workspace, url, admin_key, lambda c: c.clock())


@clock_app.command("freeze")
def clock_freeze(
    workspace: WorkspaceArg,
    at: Annotated[float | None, typer.Option(help="Unix time to stop at (default: now).")] = None,
    url: ServerUrl = None,
    admin_key: AdminKey = None,
) -> None:
    """Stop the workspace's clock."""
    _run(workspace, url, admin_key, lambda c: c.freeze(at))


@clock_app.command("advance")
def clock_advance(
    workspace: WorkspaceArg,
    seconds: Annotated[float, typer.Argument(help="How far to move the clock forward.")],
    url: ServerUrl = None,
    admin_key: AdminKey = None,
) -> None:
    """Move the clock forward; what falls due on the way fires before this returns."""
    _run(workspace, url, admin_key, lambda c: c.advance(seconds))


@clock_app.command("real")
def clock_real(workspace: WorkspaceArg, url: ServerUrl = None, admin_key: AdminKey = None) -> None:
    """Give the workspace real time again."""
    _run(workspace, url, admin_key, lambda c: c.real_time())


@snapshot_app.command("save")
def snapshot_save(workspace: WorkspaceArg, name: str, url: ServerUrl = None, admin_key: AdminKey = None) -> None:
    """Save the workspace's whole state under NAME (replacing a snapshot of that name)."""
    _run(workspace, url, admin_key, lambda c: c.save_snapshot(name))


@snapshot_app.command("restore")
def snapshot_restore(workspace: WorkspaceArg, name: str, url: ServerUrl = None, admin_key: AdminKey = None) -> None:
    """Put the workspace back as it was when NAME was saved."""
    _run(workspace, url, admin_key, lambda c: c.restore_snapshot(name))


@snapshot_app.command("list")
def snapshot_list(workspace: WorkspaceArg, url: ServerUrl = None, admin_key: AdminKey = None) -> None:
    """The workspace's snapshots."""
    _run(workspace, url, admin_key, lambda c: c.snapshots())


@snapshot_app.command("delete")
def snapshot_delete(workspace: WorkspaceArg, name: str, url: ServerUrl = None, admin_key: AdminKey = None) -> None:
    _run(workspace, url, admin_key, lambda c: c.delete_snapshot(name))


@app.command()
def requests(
    workspace: WorkspaceArg,
    method: Annotated[str | None, typer.Option(help="Only this method.")] = None,
    path: Annotated[str | None, typer.Option(help="Only this path (a trailing * matches a prefix).")] = None,
    status: Annotated[int | None, typer.Option(help="Only this status.")] = None,
    limit: Annotated[int, typer.Option(help="The last this many.")] = 20,
    clear: Annotated[bool, typer.Option("--clear", help="Empty the log instead.")] = False,
    url: ServerUrl = None,
    admin_key: AdminKey = None,
) -> None:
    """Intercom API requests the workspace received (tokens masked), oldest first."""
    if clear:
        _run(workspace, url, admin_key, lambda c: c.clear_requests())
    else:
        _run(workspace, url, admin_key, lambda c: c.requests(method, path, status, limit))


@faults_app.command("add")
def faults_add(
    workspace: WorkspaceArg,
    kind: Annotated[str, typer.Option(help="error, latency or drop.")] = "error",
    method: Annotated[str | None, typer.Option(help="Only this method.")] = None,
    path: Annotated[str | None, typer.Option(help="Path template, e.g. /contacts/{id}.")] = None,
    operation_id: Annotated[str | None, typer.Option(help="Or the spec's operationId.")] = None,
    status: Annotated[int | None, typer.Option(help="The error's HTTP status.")] = None,
    code: Annotated[str | None, typer.Option(help="The error's Intercom code.")] = None,
    message: Annotated[str | None, typer.Option(help="The error's message.")] = None,
    latency_ms: Annotated[int, typer.Option(help="Added latency (kind latency).")] = 0,
    times: Annotated[int | None, typer.Option(help="Only the next N matching requests.")] = None,
    probability: Annotated[float, typer.Option(help="Chance that a matching request fails.")] = 1.0,
    url: ServerUrl = None,
    admin_key: AdminKey = None,
) -> None:
    """Make matching requests fail (answered before the handler runs, so nothing changes)."""
    rule = {
        "kind": kind,
        "method": method,
        "path": path,
        "operation_id": operation_id,
        "status": status,
        "code": code,
        "message": message,
        "latency_ms": latency_ms,
        "times": times,
        "probability": probability,
    }
    _run(workspace, url, admin_key, lambda c: c.add_fault(**{k: v for k, v in rule.items() if v is not None}))


@faults_app.command("list")
def faults_list(workspace: WorkspaceArg, url: ServerUrl = None, admin_key: AdminKey = None) -> None:
    _run(workspace, url, admin_key, lambda c: c.faults())


@faults_app.command("clear")
def faults_clear(workspace: WorkspaceArg, url: ServerUrl = None, admin_key: AdminKey = None) -> None:
    _run(workspace, url, admin_key, lambda c: c.clear_faults())


@workspace_app.command("reset")
def workspace_reset(
    workspace: WorkspaceArg,
    seed: Annotated[str | None, typer.Option(help="Seed its ids from now on (deterministic ids).")] = None,
    url: ServerUrl = None,
    admin_key: AdminKey = None,
) -> None:
    """Delete the workspace's objects (not its admins, teams, tokens, settings) on the running server."""
    _run(workspace, url, admin_key, lambda c: c.reset(seed))

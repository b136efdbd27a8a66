"""Settings, read once from the environment (TIDINGS_ prefix)."""

from __future__ import annotations

from functools import cached_property
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

INTERCOM_VERSIONS = frozenset(
    ["1.0", "1.1", "1.2", "1.3", "1.4"] + [f"2.{minor}" for minor in range(15)] + ["Preview", "Unstable"]
)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="TIDINGS_", extra="ignore")

    data_dir: Path = Path("./tidings-data")
    # Empty means the embedded SQLite file in data_dir.
    database_url: str = ""
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = 1
    bootstrap_token: str | None = None
    admin_key: str | None = None
    default_intercom_version: str = "Preview"
    # Base URL that links in responses (job urls, SSE urls) point at.
    public_url: str | None = None
    log_level: str = "info"
    # auto: readable text on a terminal, one JSON object a line otherwise; or json, text.
    log_format: str = "auto"
    # 0: /metrics on the API port, behind the admin key; a port: served there without a key, on metrics_host.
    metrics_port: int = 0
    metrics_host: str = "127.0.0.1"
    webhook_retry_schedule: str = Field(
        default="60,300,900,1800,3600,7200,14400,28800,43200",
        description="Seconds between delivery attempts; after the last one a delivery is failed.",
    )
    allow_private_webhooks: bool | None = Field(
        default=None,
        description="Whether webhooks and callbacks may go to private addresses; unset: only while the "
        "server listens on loopback alone (`tidings worker` refuses them unless set). See webhooks/safety.py.",
    )
    # Requests kept per workspace in the control plane's request log (0 turns it off).
    request_log_size: int = Field(default=1000, ge=0, le=100_000)
    run_worker: bool = True
    # The teammates' web inbox at /inbox (docs/inbox.md).
    inbox_enabled: bool = True
    inbox_session_hours: int = Field(default=12, ge=1, le=24 * 30)
    inbox_login_link_minutes: int = Field(default=15, ge=1, le=24 * 60)
    # Whether this process runs queued background jobs (exports, bulk tickets); off leaves them to others.
    run_jobs: bool = True
    sqlite_statement_budget_seconds: float = Field(
        default=1.0,
        description="A SQLite statement running longer is interrupted (it would hold every request meanwhile).",
    )
    postgres_statement_timeout_seconds: float = Field(
        default=1.0, description="PostgreSQL's statement_timeout on the server's connections."
    )

    @cached_property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return normalise_database_url(self.database_url)
        return f"sqlite:///{(self.data_dir / 'tidings.db').resolve()}"

    @property
    def is_sqlite(self) -> bool:
        return self.resolved_database_url.startswith("sqlite")

    @property
    def statement_timeout_seconds(self) -> float:
        return self.sqlite_statement_budget_seconds if self.is_sqlite else self.postgres_statement_timeout_seconds

    @property
    def base_url(self) -> str:
        return (self.public_url or f"http://{self.host}:{self.port}").rstrip("/")


def normalise_database_url(url: str) -> str:
    """Accept plain postgresql:// URLs and point them at the asyncpg driver."""
    for prefix in ("postgres://", "postgresql://", "postgresql+psycopg2://", "postgresql+psycopg://"):
        if url.startswith(prefix):
            return "postgresql+asyncpg://" + url[len(prefix) :]
    return url

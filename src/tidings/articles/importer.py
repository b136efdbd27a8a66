"""Bulk import of articles: a help-center export (collections and articles as JSON Lines) or a
folder of Markdown files (each sub-folder a collection).

Every record goes through the API's own code path (`help_center.service.create_collection`,
`articles.service.create`), in a transaction of its own, so one bad record fails alone. Each run
creates what it reads (exports carry Intercom's ids, which tidings does not reuse).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import msgspec

from tidings.admins.storage import first_admin_id
from tidings.ai_content.importer import MARKDOWN_SUFFIXES, Summary
from tidings.ai_content.text import markdown_to_html
from tidings.articles import service as articles
from tidings.articles.schemas import ArticleRequest
from tidings.core.errors import TidingsError
from tidings.core.uow import UnitOfWork, run_in_workspace
from tidings.db.storage import Storage
from tidings.help_center import service as help_center
from tidings.help_center.schemas import CreateCollectionRequest

COLLECTION_FIELDS = ("name", "description", "translated_content", "help_center_id")
ARTICLE_FIELDS = ("title", "description", "body", "author_id", "state", "translated_content")


@dataclass(slots=True)
class Record:
    """One collection or article as read; `parent` is the export's id of its collection."""

    kind: str  # "collection" | "article"
    key: str  # the export's id (or the file's path), to name it in the summary
    fields: dict[str, Any] = field(default_factory=dict)
    parent: str | None = None
    problem: str | None = None


def read_export(path: Path) -> list[Record]:
    return _folder(path) if path.is_dir() else _jsonl(path)


def _jsonl(path: Path) -> list[Record]:
    records = []
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, start=1):
            if line.strip():
                records.append(_record(line, number))
    return records


def _record(line: str, number: int) -> Record:
    try:
        raw = json.loads(line)
        if not isinstance(raw, dict):
            raise ValueError("not a JSON object")
    except ValueError as error:
        return Record("article", f"line {number}", problem=f"invalid JSON: {error}")
    kind = raw.get("type")
    key = str(raw.get("id") or f"line {number}")
    if kind not in ("collection", "article"):
        return Record("article", key, problem="type must be collection or article")
    names = COLLECTION_FIELDS if kind == "collection" else ARTICLE_FIELDS
    parents = raw.get("parent_ids") or ([raw["parent_id"]] if raw.get("parent_id") not in (None, "") else [])
    parent = str(parents[0]) if parents else None
    return Record(kind, key, {name: raw[name] for name in names if name in raw}, parent)


def _folder(root: Path) -> list[Record]:
    """Sub-folders become collections (nested as the folders are); each Markdown file an article
    titled by its first heading (else its file name)."""
    records: list[Record] = []
    for directory in sorted(p for p in root.rglob("*") if p.is_dir()):
        relative = directory.relative_to(root).as_posix()
        parent = directory.parent.relative_to(root).as_posix() if directory.parent != root else None
        records.append(Record("collection", relative, {"name": directory.name}, parent))
    for file in sorted(p for p in root.rglob("*") if p.is_file() and p.suffix.lower() in MARKDOWN_SUFFIXES):
        relative = file.relative_to(root).as_posix()
        parent = file.parent.relative_to(root).as_posix() if file.parent != root else None
        try:
            text = file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            records.append(Record("article", relative, problem=f"unreadable: {error}"))
            continue
        title, body = _split_title(text, file.stem)
        records.append(Record("article", relative, {"title": title, "body": markdown_to_html(body)}, parent))
    return records


def _split_title(text: str, fallback: str) -> tuple[str, str]:
    lines = text.splitlines()
    for index, line in enumerate(lines):
        if line.startswith("# "):
            return line[2:].strip().rstrip("#").strip() or fallback, "\n".join(lines[:index] + lines[index + 1 :])
    return fallback, text


async def import_articles(
    storage_: Storage,
    workspace_id: str,
    records: list[Record],
    *,
    author_id: int | None = None,
    state: str = "published",
    progress: Callable[[], None] = lambda: None,
) -> Summary:
    summary = Summary()
    created: dict[str, str] = {}  # export id -> tidings collection id
    author = author_id or await run_in_workspace(storage_, workspace_id, first_admin_id)
    for record in _ordered(records):
        try:
            if record.problem:
                raise ValueError(record.problem)
            if record.parent is not None and record.parent not in created:
                raise ValueError(f"parent collection {record.parent} was not imported")
            parent = created.get(record.parent) if record.parent is not None else None
            new_id = await run_in_workspace(storage_, workspace_id, _writer(record, parent, author, state))
            if record.kind == "collection":
                created[record.key] = new_id
            summary.count("created")
        except (TidingsError, ValueError, msgspec.ValidationError) as error:
            summary.failed.append((f"{record.kind} {record.key}", str(error)))
        progress()
    return summary


def _ordered(records: list[Record]) -> list[Record]:
    """Collections before articles, every collection after its parent (unknown parents last)."""
    collections = {r.key: r for r in records if r.kind == "collection"}

    def depth(record: Record, seen: frozenset[str] = frozenset()) -> int:
        parent = collections.get(record.parent or "")
        if parent is None or parent.key in seen:
            return 0
        return 1 + depth(parent, seen | {record.key})

    ordered = sorted(collections.values(), key=depth)
    return ordered + [r for r in records if r.kind != "collection"]


def _writer(record: Record, parent: str | None, author: int | None, state: str) -> Callable[[UnitOfWork], Any]:
    async def collection(uow: UnitOfWork) -> str:
        data = msgspec.convert(record.fields | {"parent_id": parent}, CreateCollectionRequest)
        return (await help_center.create_collection(uow, data)).id

    async def article(uow: UnitOfWork) -> str:
        values = {"author_id": author, "state": state} | record.fields
        if parent is not None:
            values |= {"parent_id": parent, "parent_type": "collection"}
        return (await articles.create(uow, msgspec.convert(values, ArticleRequest))).id

    return collection if record.kind == "collection" else article

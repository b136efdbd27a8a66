"""Prepared reads: a SELECT compiled once per dialect and run on the raw driver.

Building and compiling a SQLAlchemy statement costs more than a primary-key read in SQLite
(performance-notes.md), so hot reads declare their statement once, with bind parameters, and the
storage facade runs the compiled SQL directly on sqlite3 or asyncpg, applying the column types'
result processors (JSON, booleans) exactly as SQLAlchemy would. The workspace is always a bind
parameter named `ws`, filled in by `UnitOfWork.fetch_*`, so prepared reads stay workspace-scoped.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select
from sqlalchemy.engine import Dialect

WORKSPACE_PARAM = "ws"


@dataclass(frozen=True, slots=True)
class CompiledRead:
    sql: str
    param_names: tuple[str, ...]
    columns: tuple[str, ...]
    processors: tuple[Callable[[Any], Any] | None, ...]

    def args(self, params: dict[str, Any]) -> list[Any]:
        return [params[name] for name in self.param_names]

    def row(self, values: Any) -> dict[str, Any]:
        return {
            name: (proc(value) if proc is not None and value is not None else value)
            for name, proc, value in zip(self.columns, self.processors, values, strict=True)
        }


class PreparedRead:
    def __init__(self, build: Callable[[], Select[Any]]) -> None:
        self._statement = build()
        names = {p.key for p in self._statement._get_embedded_bindparams()}
        if WORKSPACE_PARAM not in names:
            raise ValueError("a prepared read must filter on the workspace with bindparam('ws')")
        self._compiled: dict[str, CompiledRead] = {}

    def compiled(self, dialect: Dialect) -> CompiledRead:
        found = self._compiled.get(dialect.name)
        if found is None:
            found = self._compiled[dialect.name] = self._compile(dialect)
        return found

    def _compile(self, dialect: Dialect) -> CompiledRead:
        compiled = self._statement.compile(dialect=dialect)
        columns = tuple(c.key for c in self._statement.selected_columns)
        processors = tuple(
            c.type.dialect_impl(dialect).result_processor(dialect, None) for c in self._statement.selected_columns
        )
        return CompiledRead(
            sql=compiled.string,
            param_names=tuple(compiled.positiontup or ()),
            columns=columns,
            processors=processors,
        )

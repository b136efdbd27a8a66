"""Structured logs: one JSON object a line for collectors, or readable text on a terminal.

Every record goes through one handler on stderr. Events carry their fields in `extra={"fields":
{...}}` (see `event`); both formats print them. `tidings serve` hands the same configuration to
uvicorn, so its worker processes and uvicorn's own messages log the same way.
"""

from __future__ import annotations

import json
import logging
import sys
import traceback
from datetime import UTC, datetime
from typing import Any

FORMATS = ("auto", "json", "text")


def event(logger: logging.Logger, message: str, level: int = logging.INFO, **fields: Any) -> None:
    """Log `message` with `fields` as structured data (skipped cheaply when the level is off)."""
    if logger.isEnabledFor(level):
        logger.log(level, message, extra={"fields": fields})


def _timestamp(record: logging.LogRecord) -> str:
    return datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        document: dict[str, Any] = {
            "time": _timestamp(record),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        document.update(getattr(record, "fields", None) or {})
        if record.exc_info:
            document["exception"] = "".join(traceback.format_exception(*record.exc_info)).rstrip()
        return json.dumps(document, default=str, ensure_ascii=False)


class TextFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        fields = getattr(record, "fields", None) or {}
        pairs = " ".join(f"{key}={value}" for key, value in fields.items() if value is not None)
        line = f"{_timestamp(record)} {record.levelname:<7} {record.name}: {record.getMessage()}"
        line = f"{line}  {pairs}" if pairs else line
        if record.exc_info:
            line += "\n" + "".join(traceback.format_exception(*record.exc_info)).rstrip()
        return line


def resolve_format(log_format: str) -> str:
    """`auto` is text on a terminal and JSON otherwise (a file, a pipe, a container's log driver)."""
    if log_format not in FORMATS:
        raise ValueError(f"TIDINGS_LOG_FORMAT must be one of {', '.join(FORMATS)}, got {log_format!r}")
    if log_format == "auto":
        return "text" if sys.stderr.isatty() else "json"
    return log_format


def logging_config(level: str, log_format: str) -> dict[str, Any]:
    """A `logging.config.dictConfig` document (also uvicorn's `log_config`)."""
    formatter = JsonFormatter if resolve_format(log_format) == "json" else TextFormatter
    level = level.upper()
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"tidings": {"()": f"{formatter.__module__}.{formatter.__qualname__}"}},
        "handlers": {
            "stderr": {"class": "logging.StreamHandler", "formatter": "tidings", "stream": "ext://sys.stderr"}
        },
        "loggers": {
            "tidings": {"level": level},
            "uvicorn": {"level": level},
            "uvicorn.error": {"level": level},
            "uvicorn.access": {"level": "WARNING"},
        },
        "root": {"handlers": ["stderr"], "level": level},
    }


def configure(level: str, log_format: str) -> None:
    import logging.config

    logging.config.dictConfig(logging_config(level, log_format))

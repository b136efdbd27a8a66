"""One error type for the whole server, rendered as Intercom's `error.list` envelope.

Every exception that reaches the framework, Litestar's own included, goes through
`render_error`, so no route can answer with a framework's default body.
"""

from __future__ import annotations

import logging
import re
from typing import Any

import msgspec
from asyncpg.exceptions import DataError as PostgresDataError
from litestar import Request, Response
from litestar.exceptions import (
    HTTPException,
    MethodNotAllowedException,
    NotFoundException,
    ValidationException,
)

from tidings.core.request_id import request_id
from tidings.db.storage import is_over_budget

log = logging.getLogger("tidings.errors")


class ErrorItem(msgspec.Struct):
    """One entry of `errors`; `field` only where an input field is to blame (None leaves it out)."""

    code: str
    message: str
    field: str | msgspec.UnsetType | None = msgspec.UNSET

    def __post_init__(self) -> None:
        if self.field is None:
            self.field = msgspec.UNSET


class ErrorList(msgspec.Struct):
    type: str
    request_id: str
    errors: list[ErrorItem]


class TidingsError(Exception):
    """An error with an Intercom code, an HTTP status and a message."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        field: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.items = [ErrorItem(code=code, message=message, field=field)]
        self.headers = headers

    @property
    def code(self) -> str:
        return self.items[0].code


def not_found(message: str = "Resource Not Found", code: str = "not_found") -> TidingsError:
    return TidingsError(404, code, message)


def invalid(message: str, field: str | None = None, code: str = "parameter_invalid") -> TidingsError:
    return TidingsError(400, code, message, field)


def missing(field: str) -> TidingsError:
    return TidingsError(400, "parameter_not_found", f"{field} is a required parameter", field)


def unauthorized() -> TidingsError:
    return TidingsError(401, "unauthorized", "Access Token Invalid")


_ENCODER = msgspec.json.Encoder()
_NOT_JSON = re.compile(r"JSON|malformed|truncated|trailing characters|invalid character|decode", re.IGNORECASE)
_MISSING_FIELD = re.compile(r"Object missing required field `(?P<field>[^`]+)`")


def _field_of(key: str | None) -> str | None:
    if not key:
        return None
    # Litestar prefixes body paths with the parameter name ("data.name", "$.data.name").
    key = key.removeprefix("$.").removeprefix("data.").removeprefix("data")
    return key.lstrip(".") or None


def _validation_items(exc: ValidationException) -> list[ErrorItem]:
    extra = exc.extra if isinstance(exc.extra, list) else []
    items: list[ErrorItem] = []
    for entry in extra:
        if not isinstance(entry, dict):
            continue
        message = str(entry.get("message") or "Invalid parameters")
        field = _field_of(entry.get("key"))
        if field is None and message == "'data'":
            # Litestar's KeyError for a request with no body at all.
            items.append(ErrorItem("parameter_invalid", "A JSON request body is required"))
            continue
        if field is None and _NOT_JSON.search(message):
            items.append(ErrorItem("parameter_invalid", "The request body is not valid JSON"))
            continue
        found = _MISSING_FIELD.search(message)
        if found:
            name = found.group("field")
            full = f"{field}.{name}" if field else name
            items.append(ErrorItem("parameter_not_found", f"{full} is a required parameter", full))
        else:
            items.append(ErrorItem("parameter_invalid", _clean(message, field), field))
    if not items:
        detail = exc.detail if exc.detail and exc.detail != "Bad Request" else "Invalid request body"
        if _NOT_JSON.search(detail):
            detail = "The request body is not valid JSON"
        items.append(ErrorItem("parameter_invalid", detail))
    return items


def _clean(message: str, field: str | None) -> str:
    message = re.sub(r" - at `\$[^`]*`", "", message)
    return f"{field}: {message}" if field else message


def to_intercom(exc: Exception) -> tuple[int, list[ErrorItem], dict[str, str] | None]:
    if isinstance(exc, TidingsError):
        return exc.status, exc.items, exc.headers
    if isinstance(exc, ValidationException):
        return 400, _validation_items(exc), None
    if isinstance(exc, NotFoundException | MethodNotAllowedException):
        # Intercom answers an unsupported method on a known path with 404 as well.
        return 404, [ErrorItem("not_found", "Resource Not Found")], None
    if isinstance(exc, HTTPException):
        status = exc.status_code
        if status == 400:
            detail = str(exc.detail or "")
            message = "The request body is not valid JSON" if _NOT_JSON.search(detail) else detail
            return 400, [ErrorItem("parameter_invalid", message or "Bad Request")], None
        if status == 415:
            return 400, [ErrorItem("parameter_invalid", "The request body must be JSON")], None
        if status == 413:
            return 413, [ErrorItem("request_too_large", "The request body is too large")], None
        if status >= 500:
            log.error("framework error %s", exc.detail, exc_info=exc)
        code = "client_error" if status < 500 else "server_error"
        return status, [ErrorItem(code, str(exc.detail or ""))], None
    if is_over_budget(exc):
        # 400 rather than 408: the SDKs retry a 408, and the same query would run out of time again.
        return 400, [ErrorItem("request_timeout", "The request took too long to run; narrow the query")], None
    if _rejected_value(exc):
        return 400, [ErrorItem("parameter_invalid", "A value in the request cannot be stored or searched for")], None
    if _too_deep(exc):
        return 400, [ErrorItem("parameter_invalid", "The request body is nested too deeply")], None
    log.exception("unhandled error", exc_info=exc)
    return 500, [ErrorItem("server_error", "An internal error occurred")], None


def _rejected_value(exc: BaseException) -> bool:
    """Whether the database refused a value the client sent: an integer beyond 64 bits (SQLite's
    OverflowError) or PostgreSQL's data exceptions (SQLSTATE class 22: out of range, a NUL
    character in text...). The caller's input, not a fault of ours, so a 400; the transaction has
    rolled back, so nothing changed."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, OverflowError | PostgresDataError):
            return True
        current = getattr(current, "orig", None) or current.__cause__ or current.__context__
    return False


def _too_deep(exc: BaseException) -> bool:
    """Whether msgspec gave up decoding a body nested deeper than Python's recursion limit (it raises
    RecursionError, not a DecodeError): malformed input, not a fault of ours."""
    cause = exc.__cause__ or exc.__context__
    return any(isinstance(error, RecursionError) and "deserializing" in str(error) for error in (exc, cause) if error)


def error_response(status: int, items: list[ErrorItem], headers: dict[str, str] | None = None) -> Response[bytes]:
    body = _ENCODER.encode(ErrorList(type="error.list", request_id=request_id(), errors=items))
    return Response(body, status_code=status, media_type="application/json", headers=headers)


def render_error(_: Request[Any, Any, Any], exc: Exception) -> Response[bytes]:
    status, items, headers = to_intercom(exc)
    return error_response(status, items, headers)

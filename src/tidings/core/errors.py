"""One error type for the whole server, rendered as Intercom's `error.list` envelope.

Every exception that reaches the framework, Litestar's own included, goes through
`render_error`, so no route can answer with a framework's default body.
"""

from __future__ import annotations

import logging
import re
from typing import Any, TypeVar

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


class Error:
    """One catalogue entry: an HTTP status, an Intercom code and, where it never varies, the message.

    Calling it makes the `TidingsError` to raise: `raise TEAM_NOT_FOUND()`,
    `raise CONFLICT("Call already registered")`, `raise TEAM_NOT_FOUND(field="assignee_id")`.
    """

    __slots__ = ("code", "message", "status")

    def __init__(self, status: int, code: str, message: str | None = None) -> None:
        self.status = status
        self.code = code
        self.message = message

    def __call__(
        self, message: str | None = None, field: str | None = None, headers: dict[str, str] | None = None
    ) -> TidingsError:
        text = self.message if message is None else message
        if text is None:
            raise TypeError(f"the {self.code} error needs a message")
        return TidingsError(self.status, self.code, text, field, headers)

    def __repr__(self) -> str:
        return f"Error({self.status}, {self.code!r}, {self.message!r})"


# The catalogue: every error the server raises, by name. Generic helpers first (their code or
# message is a parameter), then one entry per (status, code), with its message where it is fixed.
# Nothing outside this module constructs a `TidingsError` (tests/test_error_catalogue.py).

PARAMETER_INVALID = Error(400, "parameter_invalid")
PARAMETER_NOT_FOUND = Error(400, "parameter_not_found")
NOT_FOUND = Error(404, "not_found", "Resource Not Found")
UNAUTHORIZED = Error(401, "unauthorized", "Access Token Invalid")


def not_found(message: str = "Resource Not Found", code: str = "not_found", field: str | None = None) -> TidingsError:
    return TidingsError(404, code, message, field)


def invalid(message: str, field: str | None = None, code: str = "parameter_invalid") -> TidingsError:
    return TidingsError(400, code, message, field)


def missing(field: str, what: str | None = None) -> TidingsError:
    """`<what> is a required parameter`, blaming `field`; `what` defaults to the field's name."""
    return PARAMETER_NOT_FOUND(f"{what or field} is a required parameter", field)


def bad_request_missing(field: str) -> TidingsError:
    """The reporting data export's wording: 400 `bad_request`, "'<field>' is a required parameter"."""
    return BAD_REQUEST(f"'{field}' is a required parameter")


def injected_fault(status: int, code: str, message: str, headers: dict[str, str] | None) -> TidingsError:
    """What the control plane was told to answer (`control/faults.py`): any status, code and message."""
    return TidingsError(status, code, message, headers=headers)


def unauthorized(message: str = "Access Token Invalid") -> TidingsError:
    return UNAUTHORIZED(message)


_T = TypeVar("_T")


def found(row: _T | None, error: TidingsError | None = None) -> _T:
    """The lookup-or-404 idiom: `row`, unless it is None, then `error` (default `not_found()`) is raised."""
    if row is None:
        raise error if error is not None else not_found()
    return row


# 400
AWAY_STATUS_REASON_MANDATORY = Error(400, "away_status_reason_mandatory", "Away status reason is mandatory")
BAD_REQUEST = Error(400, "bad_request")
CLIENT_ERROR = Error(400, "client_error")
CONTACT_COMPANY_LIMIT_EXCEEDED = Error(400, "contact_company_limit_exceeded")
CONVERSATION_ID_LIMIT_EXCEEDED = Error(
    400, "conversation_id_limit_exceeded", "A list of up to 20 conversation IDs is required"
)
CHANNEL_CONTACT_INVALID = Error(400, "data_invalid", "Contact not found or could not be created")
UNKNOWN_TICKET_ATTRIBUTE = Error(400, "field_not_found")
HELP_CENTER_NAME_MISSING = Error(400, "parameter_not_found", "Name is a required parameter.")
INTERCOM_VERSION_INVALID = Error(400, "intercom_version_invalid")
INVALID_SORT_ORDER = Error(400, "invalid_sort_order", "sort order must be ascending or descending")
PARAMETER_MISMATCH = Error(400, "parameter_mismatch")
TAG_HAS_DEPENDENT_OBJECTS = Error(400, "tag_has_dependent_objects")
TICKET_STATE_ID_INVALID = Error(
    400, "ticket_state_id_invalid", "Ticket state id is not valid or is not associated with the ticket type."
)
# 401, 403
TOKEN_EXPIRED = Error(401, "token_expired", "The stream's access token has expired")
FORBIDDEN = Error(403, "forbidden")
# 404
ADMIN_NOT_FOUND = Error(404, "admin_not_found", "Admin not found")
ASSIGNEE_NOT_FOUND = Error(404, "assignee_not_found", "Assignee not found")
COMPANY_NOT_FOUND = Error(404, "company_not_found", "Company Not Found")
CONVERSATION_PART_OR_MESSAGE_NOT_FOUND = Error(
    404, "conversation_part_or_message_not_found", "Conversation part or message not found"
)
DATA_ATTRIBUTE_NOT_FOUND = Error(404, "field_not_found", "We couldn't find that data attribute to update")
DATA_CONNECTOR_NOT_FOUND = Error(404, "data_connector_not_found", "Data connector not found")
EXECUTION_RESULT_NOT_FOUND = Error(404, "execution_result_not_found", "Execution result not found")
INTEGRATION_NOT_FOUND = Error(404, "data_invalid", "Integration not found")
JOB_NOT_FOUND = Error(404, "job_not_found", "Job Not Found")
TAG_NOT_FOUND = Error(404, "tag_not_found", "Tag not found")
TEAM_NOT_FOUND = Error(404, "team_not_found", "Team not found")
TICKET_NOT_FOUND = Error(404, "ticket_not_found", "Ticket not found")
USER_NOT_FOUND = Error(404, "not_found", "User Not Found")
WHATSAPP_MESSAGE_NOT_FOUND = Error(404, "whatsapp_message_not_found", "Whatsapp message not found")
# 409
CONFLICT = Error(409, "conflict")
DATA_CONNECTOR_IN_USE = Error(409, "data_connector_in_use")
# 422
EMAIL_SUBJECT_MISSING = Error(422, "parameter_not_found", "No subject supplied for email message")
RECORD_REFERENCE_INVALID = Error(422, "data_invalid", "Invalid or duplicated record reference")
UNPROCESSABLE = Error(422, "parameter_invalid")
UNPROCESSABLE_ENTITY = Error(422, "unprocessable_entity")
VALIDATION_ERROR = Error(422, "validation_error")
DATA_CONNECTOR_NAME_REQUIRED = Error(422, "parameter_not_found", "Name is required")
# 429, 502
RATE_LIMIT_EXCEEDED = Error(429, "rate_limit_exceeded")
CONNECTION_DROPPED = Error(502, "server_error", "Connection dropped by an injected fault")


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

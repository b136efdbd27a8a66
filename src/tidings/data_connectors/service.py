from __future__ import annotations

import base64
import re
from typing import Any

import msgspec

from tidings.config import Settings
from tidings.core import clock
from tidings.core.errors import (
    CONFLICT,
    DATA_CONNECTOR_IN_USE,
    DATA_CONNECTOR_NAME_REQUIRED,
    DATA_CONNECTOR_NOT_FOUND,
    EXECUTION_RESULT_NOT_FOUND,
    UNPROCESSABLE,
    TidingsError,
    found,
    invalid,
)
from tidings.core.ids import is_integer_text, parse_numeric_id
from tidings.core.paging import CursorPages, StartingAfter, clamp_per_page, invalid_cursor
from tidings.core.schemas import UNSET, present
from tidings.core.uow import UnitOfWork
from tidings.data_connectors import storage
from tidings.data_connectors.executor import redacted_url
from tidings.data_connectors.schemas import (
    MASK,
    DataConnectorDetail,
    DataConnectorList,
    DataConnectorOut,
    DataConnectorWrite,
    DataInput,
    DeletedDataConnector,
    ExecutionList,
    ExecutionOut,
    Header,
    ResponseField,
)
from tidings.webhooks.safety import UnsafeDestination, check_saved_url
from tidings.workflows import storage as workflow_storage

AUDIENCES = ("leads", "users", "visitors")
METHODS = ("get", "post", "put", "delete", "patch")
STATES = ("draft", "live")
INPUT_TYPES = ("string", "integer", "decimal", "boolean")
ERROR_TYPES = (
    "request_configuration_error",
    "faraday_error",
    "3rd_party_error",
    "response_mapping_error",
    "token_refresh_error",
    "fin_action_response_formatting_error",
    "fin_action_identity_verification_error",
    "email_verification_error",
    "non_fin_standalone_action_identity_verification_error",
    "request_validation_error",
    "client_side_action_error",
)
INPUT_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,63}")
LIMITS = {"name": 255, "description": 4096, "url": 2048, "body": 65_536}
LIST_LIMIT = 50


def unprocessable(message: str, field: str | None = None) -> TidingsError:
    return UNPROCESSABLE(message, field)


def connector_not_found() -> TidingsError:
    return DATA_CONNECTOR_NOT_FOUND()


async def _row(uow: UnitOfWork, connector_id: str) -> Any:
    numeric = parse_numeric_id(connector_id)
    row = found(await storage.get_connector(uow, numeric) if numeric else None, connector_not_found())
    return row


def _admin(value: int | None) -> str | None:
    return str(value) if value is not None else None


def _results_url(row: Any) -> str:
    return f"/data_connectors/{row['id']}/execution_results"


def list_item(row: Any) -> DataConnectorOut:
    return DataConnectorOut(
        id=str(row["id"]),
        name=row["name"],
        description=row["description"],
        state=row["state"],
        http_method=row["http_method"],
        direct_fin_usage=row["direct_fin_usage"],
        created_by_admin_id=_admin(row["created_by_admin_id"]) or UNSET,
        updated_by_admin_id=_admin(row["updated_by_admin_id"]) or UNSET,
        created_at=clock.iso_seconds(row["created_at"]),
        updated_at=clock.iso_seconds(row["updated_at"]),
        execution_results_url=_results_url(row),
    )


def detail(row: Any) -> DataConnectorDetail:
    return DataConnectorDetail(
        id=str(row["id"]),
        name=row["name"],
        description=row["description"],
        state=row["state"],
        url=row["url"],
        body=row["body"],
        headers=[Header(name=h["name"], value=MASK) for h in row["headers"]],
        http_method=row["http_method"],
        direct_fin_usage=row["direct_fin_usage"],
        audiences=list(row["audiences"]),
        execution_type="server_side",
        configuration_response_type=row["configuration_response_type"],
        data_transformation_type="full_access",
        client_function_name=None,
        client_function_timeout_ms=None,
        data_inputs=[DataInput(**i) for i in row["data_inputs"]],
        response_fields=[ResponseField(**f) for f in row["response_fields"]],
        object_mappings=[],
        token_ids=list(row["token_ids"]),
        customer_authentication=row["customer_authentication"],
        bypass_authentication=row["bypass_authentication"],
        validate_missing_attributes=row["validate_missing_attributes"],
        created_by_admin_id=_admin(row["created_by_admin_id"]),
        updated_by_admin_id=_admin(row["updated_by_admin_id"]),
        created_at=clock.iso_seconds(row["created_at"]),
        updated_at=clock.iso_seconds(row["updated_at"]),
        execution_results_url=_results_url(row),
    )


def _field_type(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "decimal"
    return "string" if isinstance(value, str) else "unknown"


def response_fields_of(sample: Any, prefix: str = "") -> list[dict[str, Any]]:
    """The fields of a mock response, flattened to dotted paths (what Intercom derives from one)."""
    fields: list[dict[str, Any]] = []
    if isinstance(sample, dict):
        for key, value in sample.items():
            path = f"{prefix}{key}"
            if isinstance(value, dict):
                fields += response_fields_of(value, f"{path}.")
            else:
                example = None if isinstance(value, list | dict) else value
                fields.append({"path": path, "type": _field_type(value), "example_value": example, "redacted": False})
    return fields[:200]


def _text(values: dict[str, Any], name: str) -> None:
    value = values.get(name)
    if isinstance(value, str) and len(value) > LIMITS[name]:
        raise unprocessable(f"{name} must be at most {LIMITS[name]} characters", name)


async def _checked(values: dict[str, Any], settings: Settings) -> dict[str, Any]:
    if "name" in values:
        if not isinstance(values["name"], str) or not values["name"].strip():
            raise DATA_CONNECTOR_NAME_REQUIRED(field="name")
        values["name"] = values["name"].strip()
    for name in LIMITS:
        _text(values, name)
    if "http_method" in values:
        values["http_method"] = str(values["http_method"]).lower()
        if values["http_method"] not in METHODS:
            raise unprocessable("Http Method isn't an option", "http_method")
    if "state" in values and values["state"] not in STATES:
        raise unprocessable("Invalid state. Must be one of: draft, live", "state")
    if "audiences" in values:
        if any(a not in AUDIENCES for a in values["audiences"]):
            raise unprocessable("Invalid audiences. Must be a subset of: leads, users, visitors", "audiences")
        values["audiences"] = [a for a in AUDIENCES if a in values["audiences"]]
    if values.get("url"):
        try:
            await check_saved_url(values["url"].replace("{{", "").replace("}}", ""), settings)
        except UnsafeDestination as refused:
            raise unprocessable(str(refused), "url") from None
    if "headers" in values:
        if len(values["headers"]) > 50:
            raise unprocessable("headers takes at most 50 headers", "headers")
        values["headers"] = [{"name": h.name.strip(), "value": h.value} for h in values["headers"]]
        if any(not h["name"] or "\n" in h["name"] + h["value"] for h in values["headers"]):
            raise unprocessable("headers need a name and a one-line value", "headers")
    if "data_inputs" in values:
        values["data_inputs"] = [_input(i) for i in values["data_inputs"][:50]]
    if "token_ids" in values:
        values["token_ids"] = [str(t)[:64] for t in values["token_ids"][:50]]
    if "mock_response" in values:
        mock = values["mock_response"]
        if mock is not None and len(msgspec.json.encode(mock)) > 65_536:
            raise unprocessable("mock_response must be at most 64 KB", "mock_response")
        if mock is not None:
            values["response_fields"] = response_fields_of(mock)
            values["configuration_response_type"] = "mock_response_type"
    return values


def _input(given: Any) -> dict[str, Any]:
    if not INPUT_NAME.fullmatch(given.name):
        raise unprocessable("data_inputs names are letters, digits and underscores", "data_inputs")
    if given.type not in INPUT_TYPES:
        raise unprocessable("data_inputs type must be one of: string, integer, decimal, boolean", "data_inputs")
    return {
        "name": given.name,
        "type": given.type,
        "description": given.description[:1024] if given.description else given.description,
        "required": given.required,
        "default_value": given.default_value[:1024],
    }


async def create(uow: UnitOfWork, data: DataConnectorWrite, settings: Settings) -> DataConnectorDetail:
    given = present(data)
    given.pop("state", None)  # always created as a draft
    if "name" not in given:
        raise DATA_CONNECTOR_NAME_REQUIRED(field="name")
    values = await _checked(
        {
            "description": None,
            "http_method": "get",
            "url": None,
            "body": "",
            "headers": [],
            "direct_fin_usage": False,
            "audiences": list(AUDIENCES),
            "data_inputs": [],
            "response_fields": [],
            "configuration_response_type": "test_response_type",
            "token_ids": [],
            "customer_authentication": False,
            "bypass_authentication": False,
            "validate_missing_attributes": None,
            **given,
        },
        settings,
    )
    now = clock.now()
    connector_id = await storage.insert_connector(
        uow,
        {
            **values,
            "state": "draft",
            "created_by_admin_id": uow.admin_id,
            "updated_by_admin_id": uow.admin_id,
            "created_at": now,
            "updated_at": now,
        },
    )
    return detail(await storage.get_connector(uow, connector_id))


async def get(uow: UnitOfWork, connector_id: str, state_version: str | None) -> DataConnectorDetail:
    if state_version is not None and state_version not in ("live", "draft"):
        raise invalid("Invalid state_version. Must be one of: live, draft", "state_version")
    # tidings keeps one version of a connector: draft and live read the same configuration.
    return detail(await _row(uow, connector_id))


async def _in_use(uow: UnitOfWork, row: Any) -> bool:
    """Whether a registered workflow runs this connector (a step with `data_connector_id`)."""
    wanted = str(row["id"])
    for workflow in await workflow_storage.workflows_with_documents(uow):
        if _mentions(workflow["document"], wanted):
            return True
    return False


def _mentions(document: Any, connector_id: str) -> bool:
    if isinstance(document, dict):
        if str(document.get("data_connector_id")) == connector_id:
            return True
        return any(_mentions(v, connector_id) for v in document.values())
    if isinstance(document, list):
        return any(_mentions(v, connector_id) for v in document)
    return False


async def update(
    uow: UnitOfWork, connector_id: str, data: DataConnectorWrite, settings: Settings
) -> DataConnectorDetail:
    row = await _row(uow, connector_id)
    values = await _checked(present(data), settings)
    if values.get("state") == "draft" and row["state"] == "live" and await _in_use(uow, row):
        raise DATA_CONNECTOR_IN_USE("Data connector is in use by other resources and cannot be set to draft")
    now = max(clock.now(), row["updated_at"])
    await storage.update_connector(uow, row["id"], {**values, "updated_by_admin_id": uow.admin_id, "updated_at": now})
    return detail(await storage.get_connector(uow, row["id"]))


async def delete(uow: UnitOfWork, connector_id: str) -> DeletedDataConnector:
    row = await _row(uow, connector_id)
    if await _in_use(uow, row):
        raise DATA_CONNECTOR_IN_USE("Data connector is in use by other resources and cannot be deleted")
    if row["state"] != "draft":
        raise CONFLICT("Data connector must be in draft state to be deleted")
    await storage.delete_connector(uow, row["id"])
    return DeletedDataConnector(id=str(row["id"]))


def encode_cursor(time_value: int, row_id: int) -> str:
    """Intercom's shape: base64 of JSON `[time, id]`."""
    return base64.b64encode(msgspec.json.encode([float(time_value), int(row_id)])).decode()


def decode_cursor(value: str | None) -> tuple[int, int] | None:
    if not value:
        return None
    try:
        time_value, row_id = msgspec.json.decode(base64.b64decode(value + "=" * (-len(value) % 4), validate=True))
        return int(time_value), int(row_id)
    except (ValueError, TypeError, msgspec.DecodeError):
        raise invalid_cursor() from None


async def list_page(uow: UnitOfWork, per_page: int | None, starting_after: str | None) -> DataConnectorList:
    size = clamp_per_page(per_page, 20, LIST_LIMIT)
    rows = await storage.connectors_page(uow, decode_cursor(starting_after), size + 1)
    page = rows[:size]
    following = (
        StartingAfter(per_page=size, starting_after=encode_cursor(page[-1]["updated_at"], page[-1]["id"]))
        if len(rows) > size
        else None
    )
    return DataConnectorList(data=[list_item(r) for r in page], pages=CursorPages(per_page=size, next=following))


def execution_out(row: Any, with_url: bool, with_bodies: bool) -> ExecutionOut:
    out = ExecutionOut(
        id=str(row["id"]),
        data_connector_id=str(row["data_connector_id"]),
        success=row["success"],
        http_status=row["http_status"],
        http_method=row["http_method"],
        error_type=row["error_type"] or UNSET,
        error_message=row["error_message"] or UNSET,
        execution_time_ms=row["execution_time_ms"],
        source_type=row["source_type"],
        source_id=row["source_id"],
        conversation_id=row["conversation_id"] or UNSET,
        created_at=clock.iso_seconds(row["created_at"]),
    )
    if with_url:
        out.request_url = redacted_url(row["request_url"]) if row["request_url"] else None
    if with_bodies:
        out.request_body = row["request_body"]
        out.response_body = row["response_body"]
        out.raw_response_body = row["response_body"]
    return out


def _flag(value: str | None, name: str) -> bool | None:
    if value is None:
        return None
    if value not in ("true", "false"):
        raise invalid(f"{name} must be true or false", name)
    return value == "true"


def _timestamp(value: str | None, name: str) -> int | None:
    if value is None:
        return None
    if not is_integer_text(value) or len(value) > 12:
        raise invalid(f"{name} must be a Unix timestamp (integer)", name)
    return int(value)


async def list_executions(uow: UnitOfWork, connector_id: str, query: dict[str, str]) -> ExecutionList:
    row = await _row(uow, connector_id)
    per_page = query.get("per_page")
    if per_page is not None and not is_integer_text(per_page):
        raise invalid("per_page must be an integer", "per_page")
    size = clamp_per_page(int(per_page) if per_page and len(per_page) < 6 else None, 10, 30)
    t = storage.data_connector_executions
    now = clock.now()
    start = _timestamp(query.get("start_ts"), "start_ts")
    end = _timestamp(query.get("end_ts"), "end_ts")
    filters: list[Any] = [t.c.created_at >= (start if start is not None else now - 3600)]
    filters.append(t.c.created_at <= (end if end is not None else now))
    success = _flag(query.get("success"), "success")
    if success is not None:
        filters.append(t.c.success.is_(success))
    error_type = query.get("error_type")
    if error_type is not None:
        if error_type not in ERROR_TYPES:
            raise invalid(f"Invalid error_type. Must be one of: {', '.join(ERROR_TYPES)}", "error_type")
        filters.append(t.c.error_type == error_type)
    with_bodies = bool(_flag(query.get("include_bodies"), "include_bodies"))
    with_url = bool(_flag(query.get("include_request_url"), "include_request_url"))
    rows = await storage.executions_page(uow, row["id"], filters, decode_cursor(query.get("starting_after")), size + 1)
    page = rows[:size]
    following = (
        StartingAfter(per_page=size, starting_after=encode_cursor(page[-1]["created_at"], page[-1]["id"]))
        if len(rows) > size
        else None
    )
    return ExecutionList(
        data=[execution_out(r, with_url, with_bodies) for r in page], pages=CursorPages(per_page=size, next=following)
    )


async def get_execution(uow: UnitOfWork, connector_id: str, execution_id: str) -> ExecutionOut:
    row = await _row(uow, connector_id)
    numeric = parse_numeric_id(execution_id)
    execution = found(
        await storage.get_execution(uow, row["id"], numeric) if numeric else None, EXECUTION_RESULT_NOT_FOUND()
    )
    return execution_out(execution, with_url=True, with_bodies=True)

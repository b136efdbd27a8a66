from __future__ import annotations

from typing import Any

from tidings.core.paging import CursorPages
from tidings.core.schemas import UNSET, Out, PlainOut, Request, UnsetType

MASK = "****"


class Header(PlainOut, kw_only=True):
    name: str
    value: str


class DataInput(PlainOut, kw_only=True):
    # `type` here is the input's data type, not the object's.
    name: str
    type: str = "string"
    description: str | None = None
    required: bool = False
    default_value: str = ""


class ResponseField(PlainOut, kw_only=True):
    path: str
    type: str
    example_value: Any
    redacted: bool = False


class DataConnectorOut(Out, tag="data_connector", kw_only=True):
    """The list item (`data_connector`)."""

    id: str
    name: str
    description: str | None
    state: str
    http_method: str
    direct_fin_usage: bool
    created_by_admin_id: str | UnsetType = UNSET
    updated_by_admin_id: str | UnsetType = UNSET
    created_at: str
    updated_at: str
    execution_results_url: str


class DataConnectorDetail(Out, tag="data_connector", kw_only=True):
    id: str
    name: str
    description: str | None
    state: str
    url: str | None
    body: str
    # Values are always "****" in answers.
    headers: list[Header]
    http_method: str
    direct_fin_usage: bool
    audiences: list[str]
    execution_type: str
    configuration_response_type: str
    data_transformation_type: str
    client_function_name: str | None
    client_function_timeout_ms: int | None
    data_inputs: list[DataInput]
    response_fields: list[ResponseField]
    object_mappings: list[dict[str, Any]]
    token_ids: list[str]
    customer_authentication: bool
    bypass_authentication: bool
    validate_missing_attributes: bool | None
    created_by_admin_id: str | None
    updated_by_admin_id: str | None
    created_at: str
    updated_at: str
    execution_results_url: str


class DataConnectorList(Out, tag="list", kw_only=True):
    data: list[DataConnectorOut]
    pages: CursorPages


class DeletedDataConnector(PlainOut, kw_only=True):
    id: str
    object: str = "data_connector"
    deleted: bool = True


class HeaderIn(Request):
    name: str
    value: str


class DataInputIn(Request):
    name: str
    type: str = "string"
    description: str | None = None
    required: bool = False
    default_value: str = ""


class DataConnectorWrite(Request):
    """Create (only `name` required) and update (partial; `data_inputs` replaces them all)."""

    name: str | UnsetType = UNSET
    description: str | None | UnsetType = UNSET
    state: str | UnsetType = UNSET
    http_method: str | UnsetType = UNSET
    url: str | None | UnsetType = UNSET
    body: str | UnsetType = UNSET
    direct_fin_usage: bool | UnsetType = UNSET
    audiences: list[str] | UnsetType = UNSET
    headers: list[HeaderIn] | UnsetType = UNSET
    data_inputs: list[DataInputIn] | UnsetType = UNSET
    customer_authentication: bool | UnsetType = UNSET
    bypass_authentication: bool | UnsetType = UNSET
    validate_missing_attributes: bool | None | UnsetType = UNSET
    mock_response: dict[str, Any] | None | UnsetType = UNSET
    token_ids: list[str] | UnsetType = UNSET


class ExecutionOut(Out, tag="data_connector.execution", kw_only=True):
    id: str
    data_connector_id: str
    success: bool
    http_status: int | None
    http_method: str
    error_type: str | UnsetType = UNSET
    error_message: str | UnsetType = UNSET
    execution_time_ms: int | None
    source_type: str | None
    source_id: str | None = None
    conversation_id: str | UnsetType = UNSET
    created_at: str
    request_url: str | None | UnsetType = UNSET
    request_body: str | None | UnsetType = UNSET
    response_body: str | None | UnsetType = UNSET
    raw_response_body: str | None | UnsetType = UNSET


class ExecutionList(Out, tag="list", kw_only=True):
    data: list[ExecutionOut]
    pages: CursorPages

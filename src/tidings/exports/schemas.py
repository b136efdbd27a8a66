from __future__ import annotations

from typing import Any

import msgspec

from tidings.core.schemas import UNSET, Request, UnsetType


class ExportJobOut(msgspec.Struct):
    """Both exports' job: Intercom answers it without a `type`."""

    job_identifier: str
    status: str
    download_url: str
    download_expires_at: str


class CreateContentExport(Request):
    created_at_after: int | UnsetType = UNSET
    created_at_before: int | UnsetType = UNSET


class EnqueueReportingExport(Request):
    dataset_id: Any = UNSET
    attribute_ids: Any = UNSET
    start_time: Any = UNSET
    end_time: Any = UNSET


class AttributeOut(msgspec.Struct):
    id: str
    qualified_id: str
    name: str


class DatasetOut(msgspec.Struct):
    id: str
    name: str
    description: str
    default_time_attribute_id: str
    attributes: list[AttributeOut]


class DatasetList(msgspec.Struct):
    data: list[DatasetOut]
    type: str = "list"

from __future__ import annotations

import csv
import io
import secrets
import string
import time
import zipfile
from typing import Any

from tidings.core import clock
from tidings.core.errors import (
    BAD_REQUEST,
    RATE_LIMIT_EXCEEDED,
    TidingsError,
    bad_request_missing,
    found,
    invalid,
    missing,
    not_found,
)
from tidings.core.schemas import UNSET
from tidings.core.uow import UnitOfWork
from tidings.exports import storage
from tidings.exports.content import ContentGroup
from tidings.exports.reporting import DATASETS, write_csv
from tidings.exports.schemas import (
    AttributeOut,
    CreateContentExport,
    DatasetList,
    DatasetOut,
    EnqueueReportingExport,
    ExportJobOut,
)
from tidings.exports.storage import CONTENT, REPORTING
from tidings.jobs import service as jobs
from tidings.jobs.runner import JobHandler

CONTENT_EXPORT_JOB = "content_data_export"
REPORTING_EXPORT_JOB = "reporting_data_export"
ACTIVE = ("pending", "in_progress")
CONTENT_ACTIVE_LIMIT = 1
REPORTING_ACTIVE_LIMIT = 5
# A finished file can be downloaded for two days (Intercom's rule).
KEEP_SECONDS = 2 * 86_400
DAY = 86_400
TIME_RANGE = (0, 2**40)
ATTRIBUTE_LIMIT = 200


def _job_identifier() -> str:
    return "".join(secrets.choice(string.ascii_lowercase + string.digits) for _ in range(16))


def _job_out(row: Any) -> ExportJobOut:
    request = row["request"]
    finished = row["status"] in ("completed", "complete") and row["expires_at"] is not None
    path = "content/data" if row["kind"] == CONTENT else "reporting_data"
    return ExportJobOut(
        job_identifier=row["job_identifier"],
        status=row["status"],
        download_url=f"{request['base_url']}/download/{path}/{row['job_identifier']}" if finished else "",
        download_expires_at=str(row["expires_at"]) if finished else "",
    )


async def _create(uow: UnitOfWork, kind: str, job_kind: str, request: dict[str, Any], base_url: str) -> ExportJobOut:
    now = clock.now()
    export_id = await storage.insert_export(
        uow,
        {
            "job_identifier": _job_identifier(),
            "kind": kind,
            "status": "pending",
            "request": {**request, "base_url": base_url},
            "created_at": now,
        },
    )
    await jobs.enqueue(uow, job_kind, {"export_id": export_id}, f"{kind}_export", base_url)
    return _job_out(await storage.get_export(uow, export_id))


# Content data export.
def _unix(value: Any, field: str) -> int:
    if value is UNSET or value is None:
        raise missing(field)
    if isinstance(value, bool) or not isinstance(value, int) or not TIME_RANGE[0] <= value < TIME_RANGE[1]:
        raise invalid(f"{field} must be a Unix timestamp", field)
    return value


def whole_days(after: int, before: int) -> tuple[int, int]:
    """Intercom's range is whole UTC days, both ends included."""
    return after - after % DAY, before - before % DAY + DAY - 1


async def create_content(uow: UnitOfWork, data: CreateContentExport, base_url: str) -> ExportJobOut:
    after = _unix(data.created_at_after, "created_at_after")
    before = _unix(data.created_at_before, "created_at_before")
    if after > before:
        raise invalid("created_at_after must not be after created_at_before")
    await uow.serialise("content-export")
    if await storage.count_active(uow, CONTENT, ACTIVE) >= CONTENT_ACTIVE_LIMIT:
        raise RATE_LIMIT_EXCEEDED("Exceeded rate limit of 1 pending message data export jobs")
    start, end = whole_days(after, before)
    return await _create(uow, CONTENT, CONTENT_EXPORT_JOB, {"start": start, "end": end}, base_url)


async def _content_row(uow: UnitOfWork, job_identifier: str) -> Any:
    row = found(
        await storage.find_export(uow, CONTENT, job_identifier[:32]),
        not_found("The requested resource does not exist."),
    )
    return row


async def get_content(uow: UnitOfWork, job_identifier: str) -> ExportJobOut:
    return _job_out(await _content_row(uow, job_identifier))


async def cancel_content(uow: UnitOfWork, job_identifier: str) -> ExportJobOut:
    """A job not finished yet is canceled; a finished one is left as it is (UNCONFIRMED)."""
    row = await _content_row(uow, job_identifier)
    await storage.update_export(uow, row["id"], {"status": "canceled", "completed_at": clock.now()}, ACTIVE)
    return _job_out(await storage.get_export(uow, row["id"]))


def _downloadable(row: Any) -> bool:
    return row["file"] is not None and row["expires_at"] is not None and clock.now() < row["expires_at"]


async def download_content(uow: UnitOfWork, job_identifier: str) -> tuple[bytes, str]:
    row = await _content_row(uow, job_identifier)
    if not _downloadable(row):
        raise not_found("Object not found.")
    return bytes(row["file"]), f"content_data_export_{row['job_identifier']}.zip"


def _csv(group: ContentGroup, rows: list[dict[str, Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(group.columns)
    for row in rows:
        writer.writerow(["" if row[c] is None else row[c] for c in group.columns])
    return out.getvalue()


def content_export_job(groups: list[ContentGroup]) -> JobHandler:
    """The job that writes a content export: a ZIP with one CSV per group that has objects in range
    (a group without any is left out, as Intercom leaves out empty statistics)."""

    async def run(uow: UnitOfWork, payload: dict[str, Any]) -> str:
        row = await storage.get_export(uow, payload["export_id"])
        if row is None or row["status"] != "pending":
            return row["job_identifier"] if row else ""  # canceled before it ran
        start, end = row["request"]["start"], row["request"]["end"]
        buffer = io.BytesIO()
        written = 0
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for group in groups:
                rows = await group.rows(uow, start, end)
                if rows:
                    info = zipfile.ZipInfo(group.file_name, date_time=time.gmtime(clock.now())[:6])
                    info.compress_type = zipfile.ZIP_DEFLATED
                    archive.writestr(info, _csv(group, rows))
                    written += 1
        now = clock.now()
        finished = {"status": "completed", "file": buffer.getvalue(), "expires_at": now + KEEP_SECONDS}
        await storage.update_export(
            uow, row["id"], {**(finished if written else {"status": "no_data"}), "completed_at": now}, ("pending",)
        )
        return row["job_identifier"]

    return run


# Reporting data export.
def bad_request(message: str) -> TidingsError:
    return BAD_REQUEST(message)


def _attribute_ids(dataset_id: str, value: Any) -> list[str]:
    if value is UNSET or value is None:
        raise bad_request_missing("attribute_ids")
    if not isinstance(value, list):
        raise bad_request("'attribute_ids' not an array must be of type Array")
    if not value:
        raise bad_request("attribute_ids must contain at least one attribute_id")
    if len(value) > ATTRIBUTE_LIMIT or not all(isinstance(i, str) for i in value):
        raise bad_request(f"attribute_ids must be at most {ATTRIBUTE_LIMIT} strings")
    dataset = DATASETS[dataset_id]
    unknown = [i for i in value if dataset.resolve(i) is None]
    if unknown:
        raise bad_request(f"attribute_ids invalid for {dataset_id} dataset: {', '.join(unknown)}")
    return value


def _time(value: Any, field: str) -> int:
    if value is UNSET or value is None:
        raise bad_request_missing(field)
    if isinstance(value, bool) or not isinstance(value, int) or not TIME_RANGE[0] <= value < TIME_RANGE[1]:
        raise bad_request(f"'{field}' must be a Unix timestamp")
    return value


async def enqueue_reporting(uow: UnitOfWork, data: EnqueueReportingExport, base_url: str) -> ExportJobOut:
    if data.dataset_id is UNSET or data.dataset_id in (None, ""):
        raise bad_request_missing("dataset_id")
    dataset_id = data.dataset_id
    if not isinstance(dataset_id, str) or dataset_id not in DATASETS:
        raise bad_request(f"{str(dataset_id)[:100]} is not a valid dataset_id")
    attribute_ids = _attribute_ids(dataset_id, data.attribute_ids)
    start, end = _time(data.start_time, "start_time"), _time(data.end_time, "end_time")
    if start > end:
        raise bad_request("'start_time' must not be after 'end_time'")
    await uow.serialise("reporting-export")
    if await storage.count_active(uow, REPORTING, ACTIVE) >= REPORTING_ACTIVE_LIMIT:
        raise RATE_LIMIT_EXCEEDED("Exceeded rate limit of 5 pending reporting dataset export jobs")
    request = {"dataset_id": dataset_id, "attribute_ids": attribute_ids, "start": start, "end": end}
    return await _create(uow, REPORTING, REPORTING_EXPORT_JOB, request, base_url)


async def _reporting_row(uow: UnitOfWork, job_identifier: str) -> Any:
    row = found(
        await storage.find_export(uow, REPORTING, job_identifier[:32]),
        not_found(f"Export job not found for identifier: {job_identifier[:100]}"),
    )
    return row


async def get_reporting(uow: UnitOfWork, job_identifier: str) -> ExportJobOut:
    return _job_out(await _reporting_row(uow, job_identifier))


async def download_reporting(uow: UnitOfWork, job_identifier: str) -> tuple[bytes, str]:
    row = await _reporting_row(uow, job_identifier)
    if not _downloadable(row):
        raise not_found(f"Export job not found for identifier: {job_identifier[:100]}")
    return bytes(row["file"]), f"{row['request']['dataset_id']}_{row['job_identifier']}.csv"


async def run_reporting_export(uow: UnitOfWork, payload: dict[str, Any]) -> str:
    row = await storage.get_export(uow, payload["export_id"])
    if row is None or row["status"] != "pending":
        return row["job_identifier"] if row else ""
    request = row["request"]
    file = await write_csv(
        uow, DATASETS[request["dataset_id"]], request["attribute_ids"], request["start"], request["end"]
    )
    now = clock.now()
    done = {"status": "complete", "file": file, "completed_at": now, "expires_at": now + KEEP_SECONDS}
    await storage.update_export(uow, row["id"], done, ("pending",))
    return row["job_identifier"]


def datasets() -> DatasetList:
    return DatasetList(
        data=[
            DatasetOut(
                id=d.id,
                name=d.name,
                description=d.description,
                default_time_attribute_id=d.default_time_attribute_id,
                attributes=[AttributeOut(id=a.id, qualified_id=a.qualified_id, name=a.name) for a in d.attributes],
            )
            for d in DATASETS.values()
        ]
    )

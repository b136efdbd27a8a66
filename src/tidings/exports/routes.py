from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import State
from litestar.params import FromPath, JSONBody

from tidings.core.deps import Uow
from tidings.exports import service
from tidings.exports.schemas import CreateContentExport, DatasetList, EnqueueReportingExport, ExportJobOut
from tidings.fin.routes import public_base_url


def _file(content: bytes, media_type: str, filename: str, **headers: str) -> Response[bytes]:
    return Response(
        content, media_type=media_type, headers={"Content-Disposition": f"attachment; filename={filename}", **headers}
    )


class ContentDataExportController(Controller):
    path = "/"
    tags = ["Data Export"]

    @post("/export/content/data", operation_id="createDataExport", status_code=200)
    async def create_data_export(
        self, data: JSONBody[CreateContentExport], uow: Uow, state: State, request: Request[Any, Any, Any]
    ) -> ExportJobOut:
        return await service.create_content(uow, data, public_base_url(state, request))

    @get("/export/content/data/{job_identifier:str}", operation_id="getDataExport")
    async def get_data_export(self, job_identifier: FromPath[str], uow: Uow) -> ExportJobOut:
        return await service.get_content(uow, job_identifier)

    @post("/export/cancel/{job_identifier:str}", operation_id="cancelDataExport", status_code=200)
    async def cancel_data_export(self, job_identifier: FromPath[str], uow: Uow) -> ExportJobOut:
        return await service.cancel_content(uow, job_identifier)

    @get("/download/content/data/{job_identifier:str}", operation_id="downloadDataExport")
    async def download_data_export(self, job_identifier: FromPath[str], uow: Uow) -> Response[bytes]:
        content, filename = await service.download_content(uow, job_identifier)
        return _file(content, "application/zip", filename)


class ReportingDataExportController(Controller):
    path = "/"
    tags = ["Export"]

    @post("/export/reporting_data/enqueue", operation_id="exportReportingDataEnqueue", status_code=200)
    async def export_reporting_data_enqueue(
        self, data: JSONBody[EnqueueReportingExport], uow: Uow, state: State, request: Request[Any, Any, Any]
    ) -> ExportJobOut:
        return await service.enqueue_reporting(uow, data, public_base_url(state, request))

    @get("/export/reporting_data/get_datasets", operation_id="exportReportingDataGetDatasets")
    async def export_reporting_data_get_datasets(self, uow: Uow) -> DatasetList:
        return service.datasets()

    @get("/export/reporting_data/{job_identifier:str}", operation_id="exportReportingDataGetJob")
    async def export_reporting_data_get_job(self, job_identifier: FromPath[str], uow: Uow) -> ExportJobOut:
        # The spec also sends app_id, client_id and job_identifier as query parameters: the path names the job.
        return await service.get_reporting(uow, job_identifier)

    @get("/download/reporting_data/{job_identifier:str}", operation_id="exportReportingDataDownload")
    async def export_reporting_data_download(self, job_identifier: FromPath[str], uow: Uow) -> Response[bytes]:
        content, filename = await service.download_reporting(uow, job_identifier)
        return _file(content, "text/csv", filename, **{"Content-Encoding": "gzip"})

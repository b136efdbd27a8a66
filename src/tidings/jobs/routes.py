from __future__ import annotations

from litestar import Controller, get
from litestar.params import FromPath

from tidings.core.deps import Uow
from tidings.jobs import service
from tidings.jobs.schemas import JobOut


class JobsController(Controller):
    path = "/jobs"
    tags = ["Jobs"]

    @get("/status/{job_id:str}", operation_id="jobsStatus")
    async def jobs_status(self, job_id: FromPath[str], uow: Uow) -> JobOut:
        return await service.status(uow, job_id)

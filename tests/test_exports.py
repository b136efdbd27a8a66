"""Exports: the content data export's archive holds the workspace's content; reporting datasets from its
conversations; one active content export (five reporting ones) at a time."""

from __future__ import annotations

import csv
import io
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import start_server, stop_server
from tests.support.live import LiveServer, Workspace
from tests.support.setup import assert_error

DAY = 86_400


def add_pages(workspace: Workspace, *titles: str) -> tuple[dict, list[dict]]:
    source = workspace.http.post(
        "/ai/content_import_sources", json={"sync_behavior": "api", "url": "https://docs.test"}
    )
    assert source.status_code == 200, source.text
    pages = []
    for index, title in enumerate(titles):
        body = {
            "title": title,
            "html": f"<p>{title} explained.</p>",
            "url": f"https://docs.test/{index}",
            "source_id": source.json()["id"],
            "external_id": f"page-{index}",
            "locale": "en",
        }
        page = workspace.http.post("/ai/external_pages", json=body)
        assert page.status_code == 200, page.text
        pages.append(page.json())
    return source.json(), pages


def wait_for(workspace: Workspace, path: str, done: tuple[str, ...]) -> dict:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        job = workspace.http.get(path).json()
        if job["status"] in done:
            return job
        time.sleep(0.1)
    raise AssertionError(f"{path} never reached {done}")


def read_csv(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


class TestContentExport:
    def test_archive_holds_exactly_the_workspaces_content(
        self, server: LiveServer, workspace: Workspace, client
    ) -> None:
        source, pages = add_pages(workspace, "Resetting a password", "Downloading invoices")
        add_pages(server.new_workspace("other"), "Not ours")
        now = int(time.time())
        job = client.unstable.data_export.create_data_export(created_at_after=now, created_at_before=now)
        assert job.status == "pending"
        raw = wait_for(workspace, f"/export/content/data/{job.job_identifier}", ("completed",))
        assert raw["download_url"] == f"{server.base_url}/download/content/data/{job.job_identifier}"
        assert int(raw["download_expires_at"]) >= now + 2 * DAY
        assert client.unstable.data_export.get_data_export(job_identifier=job.job_identifier).status == "completed"
        client.unstable.data_export.download_data_export(job_identifier=job.job_identifier)
        download = workspace.http.get(raw["download_url"], headers={"Accept": "application/octet-stream"})
        assert download.headers["content-type"] == "application/zip"
        archive = zipfile.ZipFile(io.BytesIO(download.content))
        assert sorted(archive.namelist()) == ["content_import_sources.csv", "external_pages.csv"]
        exported = read_csv(archive.read("external_pages.csv").decode())
        assert [(r["id"], r["title"], r["url"]) for r in exported] == [(p["id"], p["title"], p["url"]) for p in pages]
        assert [r["id"] for r in read_csv(archive.read("content_import_sources.csv").decode())] == [str(source["id"])]

    def test_a_range_without_content_has_no_data(self, workspace: Workspace, client) -> None:
        add_pages(workspace, "Today only")
        job = client.unstable.data_export.create_data_export(created_at_after=DAY * 10, created_at_before=DAY * 11)
        wait_for(workspace, f"/export/content/data/{job.job_identifier}", ("no_data",))
        gone = workspace.http.get(f"/download/content/data/{job.job_identifier}")
        assert_error(gone, 404, "not_found", "Object not found.")

    def test_unknown_jobs_and_bad_ranges(self, workspace: Workspace) -> None:
        assert_error(workspace.http.get("/export/content/data/nope"), 404, "not_found")
        assert_error(
            workspace.http.get("/download/content/data/nope"),
            404,
            "not_found",
            "The requested resource does not exist.",
        )
        assert_error(
            workspace.http.post("/export/content/data", json={"created_at_after": 5}), 400, "parameter_not_found"
        )
        backwards = {"created_at_after": 10 * DAY, "created_at_before": DAY}
        assert_error(workspace.http.post("/export/content/data", json=backwards), 400, "parameter_invalid")


class TestReportingExport:
    def test_datasets_enqueue_and_download(self, server: LiveServer, workspace: Workspace, client) -> None:
        datasets = client.unstable.export.list_available_datasets_and_attributes()
        conversation = next(d for d in datasets.data if d.id == "conversation")
        assert conversation.default_time_attribute_id == "conversation_started_at"
        assert "standard.conversation_id" in [a.qualified_id for a in conversation.attributes]
        contact = workspace.http.post("/contacts", json={"role": "user", "email": "r@example.com"}).json()
        started = workspace.http.post(
            "/conversations", json={"from": {"type": "user", "id": contact["id"]}, "body": "Hello"}
        )
        assert started.status_code == 200, started.text
        conversation_id = started.json()["conversation_id"]
        now = int(time.time())
        job = client.unstable.export.enqueue_a_new_reporting_data_export_job(
            dataset_id="conversation",
            attribute_ids=["standard.conversation_id", "timestamp.conversation_started_at", "channel"],
            start_time=now - 60,
            end_time=now + 60,
        )
        assert job.status == "pending"
        path = f"/export/reporting_data/{job.job_identifier}"
        params = f"?app_id={workspace.id}&client_id=test&job_identifier={job.job_identifier}"
        done = wait_for(workspace, path + params, ("complete",))
        assert done["download_url"] == f"{server.base_url}/download/reporting_data/{job.job_identifier}"
        download = workspace.http.get(done["download_url"], headers={"Accept": "application/octet-stream"})
        assert download.headers["content-encoding"] == "gzip"
        rows = read_csv(download.text)
        assert len(rows) == 1
        assert rows[0]["conversation_id"] == str(conversation_id)
        assert rows[0]["channel"] == "conversation"
        assert list(rows[0]) == ["conversation_id", "conversation_started_at", "channel"]

    def test_enqueue_refusals_say_what_is_wrong(self, workspace: Workspace) -> None:
        base = {
            "dataset_id": "conversation",
            "attribute_ids": ["standard.conversation_id"],
            "start_time": 1,
            "end_time": 2,
        }
        cases = [
            ({k: v for k, v in base.items() if k != "dataset_id"}, "'dataset_id' is a required parameter"),
            ({**base, "dataset_id": "imaginary"}, "imaginary is not a valid dataset_id"),
            ({k: v for k, v in base.items() if k != "attribute_ids"}, "'attribute_ids' is a required parameter"),
            ({**base, "attribute_ids": []}, "attribute_ids must contain at least one attribute_id"),
            ({**base, "attribute_ids": "conversation_id"}, "'attribute_ids' not an array must be of type Array"),
            (
                {**base, "attribute_ids": ["non_existent"]},
                "attribute_ids invalid for conversation dataset: non_existent",
            ),
        ]
        for body, message in cases:
            assert_error(workspace.http.post("/export/reporting_data/enqueue", json=body), 400, "bad_request", message)
        assert_error(
            workspace.http.get("/export/reporting_data/job1"),
            404,
            "not_found",
            "Export job not found for identifier: job1",
        )


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def idle_server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A server that runs no background jobs: exports stay pending, as a long one would."""
    live = start_server(
        request.param, Path(tmp_path_factory.mktemp(f"idle-{request.param}")), extra_env={"TIDINGS_RUN_JOBS": "false"}
    )
    yield live
    stop_server(live)


def test_one_active_content_export_at_a_time(idle_server: LiveServer) -> None:
    workspace = idle_server.new_workspace("exports")
    body = {"created_at_after": 0, "created_at_before": int(time.time())}
    first = workspace.http.post("/export/content/data", json=body).json()
    refused = workspace.http.post("/export/content/data", json=body)
    assert_error(refused, 429, "rate_limit_exceeded", "Exceeded rate limit of 1 pending message data export jobs")
    # Another workspace is not held back.
    assert idle_server.new_workspace("other").http.post("/export/content/data", json=body).status_code == 200
    canceled = workspace.client.unstable.data_export.cancel_data_export(job_identifier=first["job_identifier"])
    assert canceled.status == "canceled"
    assert workspace.http.post("/export/content/data", json=body).status_code == 200


def test_five_pending_reporting_exports_at_most(idle_server: LiveServer) -> None:
    workspace = idle_server.new_workspace("reporting")
    body = {"dataset_id": "conversation", "attribute_ids": ["conversation_id"], "start_time": 0, "end_time": 10}
    for _ in range(5):
        assert workspace.http.post("/export/reporting_data/enqueue", json=body).status_code == 200
    refused = workspace.http.post("/export/reporting_data/enqueue", json=body)
    assert_error(refused, 429, "rate_limit_exceeded", "Exceeded rate limit of 5 pending reporting dataset export jobs")

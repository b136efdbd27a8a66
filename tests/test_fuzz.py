"""Random requests, built by schemathesis from the spec, to every operation tidings serves, on a
live server: whatever the input, the answer is never a 5xx, an error is Intercom's envelope, and a
success matches the spec's schema for its status (tests/support/contract.py).

Most generated requests are wrong in some way (unknown ids, bodies of random shape), so this mainly
walks the error paths. Examples are derandomised: a failure reproduces on every run. For a deeper
campaign, raise the count and draw new examples each run:
`FUZZ_EXAMPLES=300 FUZZ_SEEDED=0 scripts/test tests/test_fuzz.py`.
"""

from __future__ import annotations

import os
from urllib.parse import urlsplit

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.core.result import Ok

from tests.support.contract import SPEC_PATH, check_response, served_operation_ids
from tests.support.live import Workspace

EXAMPLES_PER_OPERATION = int(os.environ.get("FUZZ_EXAMPLES", "25"))
SEEDED = os.environ.get("FUZZ_SEEDED", "1") == "1"

_schema = schemathesis.openapi.from_path(str(SPEC_PATH))
_served = served_operation_ids()
OPERATIONS = {
    result.ok().definition.raw["operationId"]: result.ok()
    for result in _schema.get_all_operations()
    if isinstance(result, Ok) and result.ok().definition.raw.get("operationId") in _served
}


@pytest.mark.parametrize("operation_id", sorted(OPERATIONS))
def test_random_requests_get_contract_answers(operation_id: str, workspace: Workspace) -> None:
    operation = OPERATIONS[operation_id]

    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        deadline=None,
        derandomize=SEEDED,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy())
    def answers_by_the_contract(case: schemathesis.Case) -> None:
        headers = {"Authorization": f"Bearer {workspace.token}"}
        if "Intercom-Version" not in (case.headers or {}):
            headers["Intercom-Version"] = "Unstable"
        response = case.call(base_url=workspace.base_url, headers=headers, timeout=30)
        where = f"{case.method.upper()} {response.request.url} body={case.body!r}"
        assert response.status_code < 500, f"{where} → {response.status_code} {response.text[:300]}"
        path = urlsplit(str(response.request.url)).path
        check_response(case.method.upper(), path, response.status_code, response.content)

    answers_by_the_contract()

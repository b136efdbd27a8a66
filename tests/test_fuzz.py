"""Random requests, built by schemathesis from the spec, to every operation tidings serves, on a
live server: whatever the input, the answer is never a 5xx, an error is Intercom's envelope, and a
success matches the spec's schema for its status (tests/support/contract.py).

Most generated requests are wrong in some way (unknown ids, bodies of random shape), so this mainly
walks the error paths. Examples are derandomised: a failure reproduces on every run. For a deeper
campaign, raise the count and draw new examples each run:
`FUZZ_EXAMPLES=300 FUZZ_SEEDED=0 scripts/test tests/test_fuzz.py`.

On SQLite the deep campaign (`test_deep_campaign_with_long_strings`) takes the default one's
place: it draws `FUZZ_DEEP_EXAMPLES` requests per operation and stretches some strings of the body
and the query to lengths up to 100 KB, past every bound (docs/areas/limits.md): the class of input
that found 500s which the default examples did not (issue 18). PostgreSQL runs the default
campaign; the databases answer bad input alike (tests/test_limits.py).
"""

from __future__ import annotations

import os
from typing import Any
from urllib.parse import urlsplit

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis.core.result import Ok

from tests.support.contract import SPEC_PATH, check_response, served_operation_ids
from tests.support.live import LiveServer, Workspace

EXAMPLES_PER_OPERATION = int(os.environ.get("FUZZ_EXAMPLES", "25"))
SEEDED = os.environ.get("FUZZ_SEEDED", "1") == "1"
DEEP_EXAMPLES = int(os.environ.get("FUZZ_DEEP_EXAMPLES", "35"))
DEEP_DATABASE = "sqlite"
# Lengths a string may be stretched to: just past the usual bounds, and far past them. Query
# strings stay under the HTTP layer's 16 KB request line (uvicorn refuses longer ones itself).
LONG_LENGTHS = [256, 2_049, 50_001, 100_000]
LONG_QUERY_LENGTHS = [256, 2_049, 8_000]

_schema = schemathesis.openapi.from_path(str(SPEC_PATH))
_served = served_operation_ids()
OPERATIONS = {
    result.ok().definition.raw["operationId"]: result.ok()
    for result in _schema.get_all_operations()
    if isinstance(result, Ok) and result.ok().definition.raw.get("operationId") in _served
}


def fuzz_settings(examples: int, shrink: bool = True) -> settings:
    return settings(
        max_examples=examples,
        deadline=None,
        derandomize=SEEDED,
        database=None,
        suppress_health_check=list(HealthCheck),
        # Shrinking 100 KB bodies takes minutes; the failing example is reported as drawn.
        phases=list(Phase) if shrink else [Phase.explicit, Phase.reuse, Phase.generate],
    )


def call_and_check(case: schemathesis.Case, workspace: Workspace) -> None:
    headers = {"Authorization": f"Bearer {workspace.token}"}
    if "Intercom-Version" not in (case.headers or {}):
        headers["Intercom-Version"] = "Unstable"
    response = case.call(base_url=workspace.base_url, headers=headers, timeout=30)
    where = f"{case.method.upper()} {response.request.url} body={str(case.body)[:500]!r}"
    assert response.status_code < 500, f"{where} → {response.status_code} {response.text[:300]}"
    if response.status_code >= 400:
        assert response.text.lstrip().startswith("{"), f"{where} → {response.status_code} {response.text[:300]!r}"
    path = urlsplit(str(response.request.url)).path
    check_response(case.method.upper(), path, response.status_code, response.content)


@pytest.mark.parametrize("operation_id", sorted(OPERATIONS))
def test_random_requests_get_contract_answers(operation_id: str, server: LiveServer, workspace: Workspace) -> None:
    if server.dialect == DEEP_DATABASE:
        pytest.skip("the deep campaign covers this database")
    operation = OPERATIONS[operation_id]

    @fuzz_settings(EXAMPLES_PER_OPERATION)
    @given(case=operation.as_strategy())
    def answers_by_the_contract(case: schemathesis.Case) -> None:
        call_and_check(case, workspace)

    answers_by_the_contract()


def stretched(value: Any, data: st.DataObject, lengths: list[int]) -> Any:
    """`value` with some of its strings (object members' values included) stretched to one of `lengths`."""
    if isinstance(value, str):
        # Most strings keep their drawn length, so ordinary input stays covered as well.
        length = data.draw(st.sampled_from([None, None, None, *lengths]))
        return value if length is None else ((value or "x") * (length // max(1, len(value)) + 1))[:length]
    if isinstance(value, list):
        return [stretched(item, data, lengths) for item in value]
    if isinstance(value, dict):
        return {key: stretched(item, data, lengths) for key, item in value.items()}
    return value


@pytest.mark.parametrize("operation_id", sorted(OPERATIONS))
def test_deep_campaign_with_long_strings(operation_id: str, server: LiveServer, workspace: Workspace) -> None:
    if server.dialect != DEEP_DATABASE:
        pytest.skip("the deep campaign runs on one database; the other answers alike (tests/test_limits.py)")
    operation = OPERATIONS[operation_id]

    @fuzz_settings(DEEP_EXAMPLES, shrink=False)
    @given(case=operation.as_strategy(), data=st.data())
    def answers_by_the_contract(case: schemathesis.Case, data: st.DataObject) -> None:
        if isinstance(case.body, dict | list | str):
            case.body = stretched(case.body, data, LONG_LENGTHS)
        if case.query:
            case.query = stretched(case.query, data, LONG_QUERY_LENGTHS)
        call_and_check(case, workspace)

    answers_by_the_contract()

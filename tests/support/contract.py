"""The contract checker: every response a test receives is validated against the spec.

The spec stays in ../shared/spec; it is read from there, never copied. A response is matched to
its operation by method and path template, then its body is validated against the schema the spec
gives for that status (or, for an undocumented error status, against the `error` schema).
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from openapi_schema_validator import OAS30Validator

from tidings.app import create_app

SPEC_PATH = Path(
    os.environ.get(
        "TIDINGS_SPEC",
        Path(__file__).resolve().parents[3] / "shared" / "spec" / "intercom-unstable.openapi.yaml",
    )
)
METHODS = ("get", "put", "post", "delete", "patch")


@dataclass(frozen=True)
class Operation:
    method: str
    template: str
    operation_id: str
    pattern: re.Pattern[str]
    literal_segments: int
    responses: dict[str, Any]


@cache
def spec() -> dict[str, Any]:
    with SPEC_PATH.open() as fh:
        return yaml.load(fh, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def _pattern(template: str) -> re.Pattern[str]:
    parts = re.split(r"(\{[^}]+\})", template)
    regex = "".join("[^/]+" if p.startswith("{") else re.escape(p) for p in parts)
    return re.compile(f"^{regex}/?$")


@cache
def operations() -> list[Operation]:
    ops = []
    for template, item in spec()["paths"].items():
        for method in METHODS:
            op = item.get(method)
            if op is None:
                continue
            literal = sum(1 for seg in template.split("/") if seg and not seg.startswith("{"))
            ops.append(
                Operation(
                    method=method.upper(),
                    template=template,
                    operation_id=op.get("operationId") or f"{method}:{template}",
                    pattern=_pattern(template),
                    literal_segments=literal,
                    responses=op.get("responses", {}),
                )
            )
    # A literal segment beats a template one: /contacts/search before /contacts/{id}.
    ops.sort(key=lambda o: -o.literal_segments)
    return ops


def operation_ids() -> set[str]:
    return {o.operation_id for o in operations()}


def find_operation(method: str, path: str) -> Operation | None:
    for op in operations():
        if op.method == method.upper() and op.pattern.match(path):
            return op
    return None


@cache
def _validator(operation_id: str, status: str) -> OAS30Validator | None:
    op = next(o for o in operations() if o.operation_id == operation_id)
    response = op.responses.get(status)
    if response is None:
        if int(status) >= 400:
            return _schema_validator({"$ref": "#/components/schemas/error"})
        raise AssertionError(f"{operation_id}: status {status} is not documented in the spec")
    if "$ref" in response:
        response = spec()["components"]["responses"][response["$ref"].rsplit("/", 1)[-1]]
    content = (response.get("content") or {}).get("application/json")
    if not content or "schema" not in content:
        return None
    return _schema_validator(content["schema"])


def _schema_validator(schema: dict[str, Any]) -> OAS30Validator:
    root = {**_nullable_refs(schema), "components": _components()}
    return OAS30Validator(root)


@cache
def _components() -> dict[str, Any]:
    return _nullable_refs(spec()["components"])


def _nullable_refs(node: Any) -> Any:
    """`{$ref, nullable: true}` as the spec means it: the referenced schema, or null. (OpenAPI 3.0
    ignores a `$ref`'s siblings, so a validator would refuse the null the spec's examples show.)"""
    if isinstance(node, list):
        return [_nullable_refs(item) for item in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node and node.get("nullable"):
        return {"anyOf": [{"$ref": node["$ref"]}, {"enum": [None]}]}
    return {key: _nullable_refs(value) for key, value in node.items()}


class ContractError(AssertionError):
    pass


def check_response(method: str, path: str, status: int, body: bytes) -> str | None:
    """Validate one response; returns the operation id matched, or None for paths outside the spec."""
    if path.startswith("/_tidings/"):
        if status >= 400:
            _check_error_envelope(json.loads(body), f"{method} {path}")
        return None
    op = find_operation(method, path)
    if op is None:
        if status >= 400:
            _check_error_envelope(json.loads(body), f"{method} {path}")
            return None
        raise ContractError(f"{method} {path} answered {status} but matches no operation in the spec")
    validator = _validator(op.operation_id, str(status))
    if status >= 400:
        _check_error_envelope(json.loads(body), op.operation_id)
    if validator is None:
        return op.operation_id
    if not body.strip():
        raise ContractError(f"{op.operation_id} {status}: empty body where the spec documents one")
    document = json.loads(body)
    errors = sorted(validator.iter_errors(document), key=lambda e: list(e.path))
    if errors:
        details = "\n".join(f"  at {'/'.join(map(str, e.path)) or '<root>'}: {e.message[:300]}" for e in errors[:10])
        raise ContractError(f"{op.operation_id} {status} does not match the spec:\n{details}")
    return op.operation_id


def _check_error_envelope(document: Any, where: str) -> None:
    ok = (
        isinstance(document, dict)
        and document.get("type") == "error.list"
        and isinstance(document.get("request_id"), str)
        and isinstance(document.get("errors"), list)
        and document["errors"]
        and all(isinstance(e, dict) and isinstance(e.get("code"), str) for e in document["errors"])
    )
    if not ok:
        raise ContractError(f"{where}: error body is not Intercom's error.list envelope: {document!r}")


def served_operation_ids() -> set[str]:
    """The operation ids of the Intercom API routes the app registers (not tidings' own `/_tidings`, nor
    the teammates' web inbox under `/inbox`)."""
    ids = set()
    for route in create_app().routes:
        if route.path.startswith(("/_tidings", "/inbox")):
            continue
        for handler in getattr(route, "route_handlers", []):
            if handler.operation_id:
                ids.add(str(handler.operation_id))
    return ids

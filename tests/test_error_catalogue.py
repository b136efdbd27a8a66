"""The error catalogue (`tidings.core.errors`): every error the server raises is defined there once
and raised by name. A source scan, no server needed."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from tidings.core import errors
from tidings.core.errors import Error, TidingsError, found, missing, not_found

SRC = Path(__file__).resolve().parents[1] / "src" / "tidings"
CATALOGUE = SRC / "core" / "errors.py"
SHARED = Path(__file__).resolve().parents[2] / "shared"
REQUIRED = "is a required parameter"


def _modules() -> list[Path]:
    return sorted(path for path in SRC.rglob("*.py") if path != CATALOGUE)


def _constructs_error(node: ast.AST) -> bool:
    if not isinstance(node, ast.Call):
        return False
    func = node.func
    return (isinstance(func, ast.Name) and func.id == "TidingsError") or (
        isinstance(func, ast.Attribute) and func.attr == "TidingsError"
    )


def _strings(node: ast.AST) -> list[str]:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    return []


def test_no_module_outside_the_catalogue_constructs_an_error() -> None:
    offenders = [
        f"{path.relative_to(SRC)}:{node.lineno}"
        for path in _modules()
        for node in ast.walk(ast.parse(path.read_text(), str(path)))
        if _constructs_error(node)
    ]
    assert offenders == [], "raise a catalogue entry from tidings.core.errors instead"


def test_no_module_outside_the_catalogue_writes_a_required_parameter_message() -> None:
    offenders = [
        f"{path.relative_to(SRC)}:{node.lineno}"
        for path in _modules()
        for node in ast.walk(ast.parse(path.read_text(), str(path)))
        if any(REQUIRED in text for text in _strings(node))
    ]
    assert offenders == [], "use tidings.core.errors.missing(field)"


def test_the_scan_sees_a_violation() -> None:
    tree = ast.parse('raise TidingsError(400, "parameter_not_found", "x is a required parameter", "x")')
    assert any(_constructs_error(node) for node in ast.walk(tree))
    assert any(REQUIRED in text for node in ast.walk(tree) for text in _strings(node))


def _entries() -> dict[str, Error]:
    return {name: value for name, value in vars(errors).items() if isinstance(value, Error)}


def test_each_entry_is_defined_once() -> None:
    keys = [(entry.status, entry.code, entry.message) for entry in _entries().values()]
    assert len(keys) == len(set(keys))


@pytest.mark.skipif(not (SHARED / "spec").is_dir(), reason="the spec lives in ../shared")
def test_every_catalogued_code_is_one_intercom_uses() -> None:
    """Each code appears in the spec's error examples or in the behaviour docs."""
    spec = "".join(path.read_text() for path in (SHARED / "spec").glob("*.yaml"))
    docs = "".join(path.read_text() for path in (SHARED / "docs").glob("*.md"))
    unknown = sorted(
        entry.code
        for entry in _entries().values()
        if not re.search(rf"code:\s*['\"]?{entry.code}\b", spec) and not re.search(rf"\b{entry.code}\b", docs)
    )
    assert unknown == []


def test_an_entry_makes_the_error_it_names() -> None:
    error = errors.TEAM_NOT_FOUND(field="assignee_id")
    assert (error.status, error.code, error.items[0].message, error.items[0].field) == (
        404,
        "team_not_found",
        "Team not found",
        "assignee_id",
    )
    assert errors.CONFLICT("Call already registered").items[0].message == "Call already registered"
    with pytest.raises(TypeError):
        errors.CONFLICT()


def test_missing_names_the_field() -> None:
    assert missing("title").items[0].message == "title is a required parameter"
    error = missing("id", "id or user_id")
    assert (error.code, error.items[0].message, error.items[0].field) == (
        "parameter_not_found",
        "id or user_id is a required parameter",
        "id",
    )


def test_found_returns_the_row_or_raises() -> None:
    assert found({"id": 1}) == {"id": 1}
    assert found(0) == 0
    with pytest.raises(TidingsError) as default:
        found(None)
    assert (default.value.status, default.value.code) == (404, "not_found")
    with pytest.raises(TidingsError) as named:
        found(None, not_found("User Not Found"))
    assert named.value.items[0].message == "User Not Found"

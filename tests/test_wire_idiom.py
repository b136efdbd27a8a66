"""The response idiom holds for every response model (CONVENTIONS.md, "Responses")."""

from __future__ import annotations

import importlib
import pkgutil
import re
from pathlib import Path

import msgspec

import tidings
from tidings.core.schemas import Out, PlainOut

SRC = Path(tidings.__file__).parent


def _all_subclasses(cls: type) -> list[type]:
    for module in pkgutil.walk_packages([str(SRC)], "tidings."):
        if not module.name.endswith("__main__"):
            importlib.import_module(module.name)
    found, todo = [], [cls]
    while todo:
        for sub in todo.pop().__subclasses__():
            found.append(sub)
            todo.append(sub)
    return found


def test_every_typed_response_names_its_type() -> None:
    """Without `tag=`, msgspec would write the class name as `type`."""
    untagged = [c.__qualname__ for c in _all_subclasses(Out) if c.__struct_config__.tag == c.__name__]
    assert not untagged, f"give these `tag=`: {untagged}"


def test_type_is_written_and_nulls_are_kept() -> None:
    class Sample(Out, tag="sample"):
        name: str | None = None
        hidden: int | msgspec.UnsetType = msgspec.UNSET

    assert msgspec.json.decode(msgspec.json.encode(Sample())) == {"type": "sample", "name": None}
    assert msgspec.to_builtins(Sample()) == {"type": "sample", "name": None}


def test_no_response_model_omits_defaults() -> None:
    offenders = [
        f"{path.relative_to(SRC)}:{number}"
        for path in SRC.rglob("*.py")
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if re.search(r"omit_defaults\s*=\s*True", line)
    ]
    assert not offenders, offenders


def test_plain_responses_are_not_tagged() -> None:
    assert all(c.__struct_config__.tag is None for c in _all_subclasses(PlainOut))

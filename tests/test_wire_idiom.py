"""The response idiom holds for every response model (CONVENTIONS.md, "Responses")."""

from __future__ import annotations

import importlib
import json
import pkgutil
import re
import subprocess
import sys
import typing
from pathlib import Path
from typing import Any

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


def _structs_in(annotation: Any, seen: set[type]) -> None:
    """Every msgspec Struct reachable from a type annotation, through unions, containers,
    `Response[...]` and the Structs' own fields."""
    if isinstance(annotation, type) and issubclass(annotation, msgspec.Struct):
        if annotation in seen:
            return
        seen.add(annotation)
        for hint in typing.get_type_hints(annotation).values():
            _structs_in(hint, seen)
        return
    for argument in typing.get_args(annotation):
        _structs_in(argument, seen)


def _route_response_structs() -> dict[type, set[str]]:
    from tidings.app import create_app
    from tidings.config import Settings

    found: dict[type, set[str]] = {}
    for route in create_app(Settings(inbox_enabled=True)).routes:
        for handler in getattr(route, "route_handlers", []):
            structs: set[type] = set()
            _structs_in(handler.parsed_fn_signature.return_type.annotation, structs)
            for struct in structs:
                found.setdefault(struct, set()).add(handler.handler_name)
    return found


def test_every_route_response_struct_derives_from_the_response_bases() -> None:
    """A route's response type, and every Struct nested in it, is an `Out` or a `PlainOut`: the
    bases that always write `type` and never omit defaults."""
    found = _route_response_structs()
    assert len(found) > 100, "the walk found too few response models to be looking at the routes"
    offenders = sorted(
        f"{struct.__module__}.{struct.__qualname__} (in {', '.join(sorted(handlers))})"
        for struct, handlers in found.items()
        if not issubclass(struct, (Out, PlainOut))
    )
    assert not offenders, "derive these from Out (tag=) or PlainOut:\n" + "\n".join(offenders)


def test_creating_the_app_raises_no_deprecation_warning() -> None:
    """Importing tidings and creating the app (every router on, the OpenAPI document built) raises
    no DeprecationWarning, Litestar's included. A fresh interpreter, so that warnings raised at import
    time (`Parameter(query=...)`) count too, whatever this test process imported before."""
    script = (
        "import warnings, json\n"
        "with warnings.catch_warnings(record=True) as caught:\n"
        "    warnings.simplefilter('always')\n"
        "    from tidings.app import create_app\n"
        "    from tidings.config import Settings\n"
        "    create_app(Settings(inbox_enabled=True)).openapi_schema\n"
        "print(json.dumps([f'{w.category.__name__}: {w.message}' for w in caught\n"
        "                  if issubclass(w.category, DeprecationWarning)]))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=SRC.parent.parent)
    assert done.returncode == 0, done.stderr[-3000:]
    assert json.loads(done.stdout.strip().splitlines()[-1]) == []

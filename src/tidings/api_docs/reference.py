"""The interactive API reference at /docs: Swagger UI over the schema Litestar generates.

Two pages, each a slice of the one generated schema: the Intercom API at `/docs` (operations under
the spec's tags and summaries) and tidings' management API at `/docs/management`. Swagger UI's
files are shipped in the package (`static/`, Apache-2.0, see NOTICE) and served from
`/docs/assets`, so the page works with no internet access.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

from litestar import Request
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import JsonRenderPlugin, OpenAPIRenderPlugin
from litestar.openapi.spec import Components, SecurityScheme
from litestar.serialization import encode_json
from litestar.static_files import create_static_files_router
from litestar.types import ControllerRouterHandler

from tidings import __version__

DOCS_PATH = "/docs"
ASSETS_PATH = DOCS_PATH + "/assets"
STATIC_DIR = Path(__file__).parent / "static"
INDEX_PATH = Path(__file__).parent / "operations.json"
MANAGEMENT_PREFIX = "/_tidings/"
HTTP_METHODS = ("get", "put", "post", "delete", "patch")


@cache
def operation_index() -> dict[str, dict[str, Any]]:
    """operationId -> the spec's tags and summary (written by scripts/api_docs_index.py)."""
    return json.loads(INDEX_PATH.read_text())


def is_management(path: str) -> bool:
    return path.startswith(MANAGEMENT_PREFIX)


def is_intercom(path: str) -> bool:
    return not is_management(path)


def management_tag(path: str) -> str:
    """The resource a management path acts on: `/_tidings/v1/workspaces/{ws}/access_tokens/...` ->
    "Access tokens"; the workspaces themselves -> "Workspaces"."""
    parts = [p for p in path.split("/") if p and not p.startswith("{")]
    resource = parts[3] if len(parts) > 3 else parts[-1]
    return resource.replace("_", " ").capitalize()


def _refs(node: Any) -> set[str]:
    """Names of the component schemas a part of the schema refers to directly."""
    found: set[str] = set()
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            ref = item.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/components/schemas/"):
                found.add(ref.rsplit("/", 1)[1])
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return found


def _reachable_schemas(paths: dict[str, Any], schemas: dict[str, Any]) -> dict[str, Any]:
    seen: set[str] = set()
    pending = _refs(paths)
    while pending:
        name = pending.pop()
        if name in seen or name not in schemas:
            continue
        seen.add(name)
        pending |= _refs(schemas[name]) - seen
    return {name: schemas[name] for name in sorted(seen)}


def _describe(path: str, operation: dict[str, Any]) -> None:
    entry = operation_index().get(operation.get("operationId", ""))
    if entry is not None:
        operation["tags"] = entry["tags"] or ["Other"]
        operation["summary"] = entry["summary"] or operation.get("summary", "")
    elif is_management(path):
        operation["tags"] = operation.get("tags") or [management_tag(path)]
    else:
        operation["tags"] = operation.get("tags") or ["Other"]


def reference_schema(full: dict[str, Any], keep: Callable[[str], bool], title: str, auth: str) -> dict[str, Any]:
    """The operations of `full` whose path `keep` accepts, tagged, with only the models they use."""
    full = json.loads(encode_json(full))  # a private copy, in plain JSON types
    paths = {path: item for path, item in full.get("paths", {}).items() if keep(path)}
    for path, item in paths.items():
        for method in HTTP_METHODS:
            if method in item:
                _describe(path, item[method])
    components = full.get("components", {})
    schemas = _reachable_schemas(paths, components.get("schemas", {}))
    bearer = {"type": "http", "scheme": "bearer", "description": auth}
    tags = sorted({tag for item in paths.values() for m in HTTP_METHODS if m in item for tag in item[m]["tags"]})
    return {
        **full,
        "info": {**full.get("info", {}), "title": title},
        "paths": paths,
        "tags": [{"name": tag} for tag in tags],
        "components": {**components, "schemas": schemas, "securitySchemes": {"bearerAuth": bearer}},
        "security": [{"bearerAuth": []}],
    }


PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<link rel="icon" type="image/png" href="{assets}/favicon-32x32.png">
<link rel="stylesheet" href="{assets}/swagger-ui.css">
<style>body {{ margin: 0 }} .tidings-nav {{ font: 14px sans-serif; padding: 8px 20px; background: #1b1b1b; }}
.tidings-nav a {{ color: #fff; margin-right: 16px; }}</style>
</head>
<body>
<nav class="tidings-nav"><a href="{docs}">Intercom API</a><a href="{docs}/management">Management API</a>
<a href="{docs}/openapi.json">openapi.json</a></nav>
<div id="swagger-ui"></div>
<script src="{assets}/swagger-ui-bundle.js"></script>
<script>
window.ui = SwaggerUIBundle({{
  spec: {spec},
  dom_id: "#swagger-ui",
  deepLinking: true,
  displayOperationId: true,
  persistAuthorization: true,
  tryItOutEnabled: true,
  filter: true,
  validatorUrl: null,
  docExpansion: "none",
  defaultModelsExpandDepth: 0,
}});
</script>
</body>
</html>
"""


class ReferencePage(OpenAPIRenderPlugin):
    """One Swagger UI page over a slice of the generated schema, rendered once per process."""

    def __init__(self, *, path: str, title: str, keep: Callable[[str], bool], auth: str) -> None:
        super().__init__(path=path)
        self.title = title
        self.keep = keep
        self.auth = auth
        self._page: bytes | None = None

    def render(self, request: Request[Any, Any, Any], openapi_schema: dict[str, Any]) -> bytes:
        if self._page is None:
            schema = reference_schema(openapi_schema, self.keep, self.title, self.auth)
            # "</" inside the inline JSON must not close the script element.
            spec = re.sub(r"</", r"<\\/", json.dumps(schema))
            page = PAGE.format(title=self.title, assets=ASSETS_PATH, docs=DOCS_PATH, spec=spec)
            self._page = page.encode()
        return self._page


def openapi_config() -> OpenAPIConfig:
    return OpenAPIConfig(
        title="tidings",
        version=__version__,
        path=DOCS_PATH,
        components=Components(security_schemes={"bearerAuth": SecurityScheme(type="http", scheme="bearer")}),
        security=[{"bearerAuth": []}],
        render_plugins=[
            ReferencePage(
                path="/",
                title="tidings: the Intercom API",
                keep=is_intercom,
                auth="An access token of a workspace (`tidings token create WORKSPACE`).",
            ),
            ReferencePage(
                path="/management",
                title="tidings: the management API",
                keep=is_management,
                auth="The management admin key (TIDINGS_ADMIN_KEY, or printed by the first `tidings serve`).",
            ),
            JsonRenderPlugin(path="/openapi.json"),
        ],
    )


def assets_router() -> ControllerRouterHandler:
    return create_static_files_router(
        path=ASSETS_PATH, directories=[STATIC_DIR], include_in_schema=False, send_as_attachment=False
    )

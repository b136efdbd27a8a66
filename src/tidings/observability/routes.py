"""GET /metrics on the API port, behind the management admin key."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get
from litestar.datastructures import State

from tidings.core.auth import check_admin_key
from tidings.observability.metrics import exposition


@get("/metrics", include_in_schema=False)
async def metrics_page(request: Request[Any, Any, Any], state: State) -> Response[bytes]:
    check_admin_key(request.headers.get("authorization"), state.admin_key)
    body, content_type = await exposition(state.storage)
    return Response(body, media_type=content_type)

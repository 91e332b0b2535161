"""GET /health and GET /ready (no token)."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Request, Response, get

from entrypoints.http.openapi_docs import public_operation

__all__ = ["health", "ready"]


class HealthView(msgspec.Struct, frozen=True):
    """Process or dependency status."""

    status: str
    checks: dict[str, str] = {}


@get(
    "/health",
    tags=["operations"],
    summary="The process answers",
    sync_to_thread=False,
    operation_class=public_operation(),
)
def health() -> HealthView:
    return HealthView("ok")


@get(
    "/ready",
    tags=["operations"],
    summary="The database answers",
    operation_class=public_operation({503: "The database does not answer"}, HealthView),
)
async def ready(request: Request[Any, Any, Any]) -> Response[HealthView]:
    checks = await request.app.state.container.readiness()()
    ok = all(v == "ok" for v in checks.values())
    return Response(
        HealthView("ok" if ok else "unavailable", checks), status_code=200 if ok else 503
    )

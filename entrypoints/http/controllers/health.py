"""GET /health and GET /ready (no token)."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Request, Response, get

__all__ = ["health", "ready"]


class HealthView(msgspec.Struct, frozen=True):
    """Process or dependency status."""

    status: str
    checks: dict[str, str] = {}


@get("/health", tags=["operations"], summary="The process answers", sync_to_thread=False)
def health() -> HealthView:
    return HealthView("ok")


@get("/ready", tags=["operations"], summary="The database answers")
async def ready(request: Request[Any, Any, Any]) -> Response[HealthView]:
    checks = await request.app.state.container.readiness()()
    ok = all(v == "ok" for v in checks.values())
    return Response(
        HealthView("ok" if ok else "unavailable", checks), status_code=200 if ok else 503
    )

"""GET /metrics: Prometheus text, no user token; a bearer token when one is configured."""

from __future__ import annotations

import hmac
from typing import Any

from litestar import Request, Response, get

__all__ = ["metrics"]


@get("/metrics", include_in_schema=False, sync_to_thread=False)
def metrics(request: Request[Any, Any, Any]) -> Response[bytes]:
    container = request.app.state.container
    token = container.settings().metrics_token
    if token:
        scheme, _, given = (request.headers.get("authorization") or "").partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip(), token):
            return Response(
                b"metrics need a bearer token\n",
                status_code=401,
                media_type="text/plain",
                headers={"WWW-Authenticate": "Bearer"},
            )
    telemetry = container.metrics()
    telemetry.log_backlog(container.log_sink().backlog)
    body, media_type = telemetry.render()
    return Response(body, media_type=media_type)

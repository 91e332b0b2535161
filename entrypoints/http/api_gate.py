"""The gate of every HTTP request: request id, metrics; for /api also bearer authentication
and the per-user rate limit (API.md §1.3-1.4).

A pure ASGI middleware so that refusals carry the same envelope, every answer carries
`X-Request-Id` (the id is also current in `request_context` for every log line written while
serving it) and every /api answer carries the RateLimit-* headers.
"""

from __future__ import annotations

import logging
import time
from typing import Any

import msgspec
from litestar.enums import ScopeType
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from domain.errors import DomainError
from entrypoints.http.dependencies import USER_KEY
from entrypoints.http.envelope import error_envelope
from entrypoints.http.request_ids import assign_request_id
from entrypoints.observability.request_context import bind_request_id, release_request_id

__all__ = ["ApiGate"]

log = logging.getLogger("specmcp.access")

_OPEN_PREFIXES = ("/api/webhooks/",)


def _bearer(scope: Scope) -> str | None:
    for name, value in scope.get("headers", ()):
        if name == b"authorization":
            scheme, _, token = value.decode("latin-1").partition(" ")
            if scheme.lower() == "bearer" and token.strip():
                return token.strip()
            return None
    return None


async def _refuse(
    send: Send,
    status: int,
    code: str,
    message: str,
    headers: list[tuple[bytes, bytes]],
    details: Any = None,
) -> None:
    body = msgspec.json.encode(error_envelope(code, message, details))
    start: Any = {
        "type": "http.response.start",
        "status": status,
        "headers": [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
            *headers,
        ],
    }
    await send(start)
    end: Any = {"type": "http.response.body", "body": body}
    await send(end)


def _route_of(scope: Scope) -> str:
    # The MCP mount works on a copy of the scope: its template never comes back here.
    template: str | None = scope.get("path_template")
    if template and template != "/mcp":
        return template
    return "/mcp/{endpointId}" if scope["path"].startswith("/mcp/") else template or "unmatched"


class ApiGate:
    """Authenticates /api requests and counts them against the caller's rate limit."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await self.app(scope, receive, send)
            return
        rid = assign_request_id(scope)
        token = bind_request_id(rid)
        container = scope["app"].state.container
        metrics, access_log = container.metrics(), container.settings().access_log
        status = 500
        started = time.perf_counter()

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = list(message.get("headers", []))
                if not any(name.lower() == b"x-request-id" for name, _ in headers):
                    headers.append((b"x-request-id", rid.encode()))
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self._gate(scope, receive, send_with_id, metrics)
        finally:
            route = _route_of(scope)
            method, elapsed = scope.get("method", "GET"), time.perf_counter() - started
            metrics.http_request(method, route, status, elapsed)
            if access_log:
                log.info(
                    "%s %s %d",
                    method,
                    route,
                    status,
                    extra={"route": route, "status": status, "durationMs": elapsed * 1000},
                )
            release_request_id(token)

    async def _gate(self, scope: Scope, receive: Receive, send: Send, metrics: Any) -> None:
        path: str = scope["path"]
        if (not path.startswith("/api/") and path != "/api") or path.startswith(_OPEN_PREFIXES):
            await self.app(scope, receive, send)
            return
        container = scope["app"].state.container
        www = [(b"www-authenticate", b"Bearer")]
        try:
            user = await container.authenticate_user()(_bearer(scope))
        except DomainError as exc:
            metrics.refusal("api", "auth")
            await _refuse(send, 401, "AUTH_ERROR", exc.message, www)
            return
        settings = container.settings()
        limit = settings.api_rate_limit
        decision = await container.rate_limiter().hit(f"api:{user.id}", limit, 60)
        headers = [
            (b"ratelimit-limit", str(decision.limit).encode()),
            (b"ratelimit-remaining", str(decision.remaining).encode()),
            (b"ratelimit-reset", str(decision.reset_seconds).encode()),
        ]
        if not decision.allowed:
            metrics.refusal("api", "rate_limit")
            await _refuse(
                send,
                429,
                "RATE_LIMIT",
                "Too many requests; try again later.",
                [*headers, (b"retry-after", str(decision.reset_seconds).encode())],
                {"reason": "rate_limit", "limit": limit, "windowSeconds": 60},
            )
            return
        scope.setdefault("state", {})[USER_KEY] = user

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), *headers]}
            await send(message)

        await self.app(scope, receive, send_with_headers)

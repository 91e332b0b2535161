"""MCP requests handed to the hosted endpoint before Litestar routes them.

Litestar's router, its exception middleware and the mount's scope copy cost about 40 us of CPU
per MCP request (a tenth of a tool call's own work in this process), and the MCP endpoint uses
none of what they add: it parses its own path and answers its own refusals. `ServiceApp` gives
a request for `/mcp/...` exactly what the Litestar mount gave it (a copy of the scope whose path
is the part below `/mcp`, with a trailing slash), inside the same `ApiGate` (request id, metrics,
access log), and maps an exception that escapes the endpoint as the app's handler would. A
request Litestar would treat otherwise (a `root_path`, a path that normalises to another, an
invalid `Host` header) still goes through Litestar and its mount.
"""

from __future__ import annotations

from typing import Any

from litestar import Litestar, Request
from litestar._asgi.utils import is_valid_host
from litestar.types import ASGIApp, Receive, Scope, Send

from entrypoints.http.api_gate import ApiGate
from entrypoints.http.error_mapping import exception_handlers

__all__ = ["ServiceApp"]

_PREFIX = "/mcp/"


class ServiceApp(Litestar):
    """Litestar, with plain `/mcp/...` HTTP requests served by `mcp_endpoint` directly."""

    mcp_front: ASGIApp | None = None
    """Set by `serve_mcp_directly`; None: everything goes through Litestar."""

    def serve_mcp_directly(self, mcp_endpoint: ASGIApp) -> None:
        """Hand plain `/mcp/...` requests to `mcp_endpoint` (what the `/mcp` mount calls)."""
        self.mcp_front = ApiGate(_McpScope(mcp_endpoint))

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        front = self.mcp_front
        if front is not None and scope["type"] == "http" and _plain_mcp(scope):
            scope["app"] = scope["litestar_app"] = self
            scope.setdefault("state", {})
            await front(scope, receive, send)
            return
        await super().__call__(scope, receive, send)


def _plain_mcp(scope: Scope) -> bool:
    path: str = scope["path"]
    if not path.startswith(_PREFIX) or len(path) == len(_PREFIX) or scope.get("root_path"):
        return False
    if path.endswith("/") or "//" in path:
        return False  # Litestar normalises these first
    host = next((value for name, value in scope["headers"] if name == b"host"), None)
    return host is None or is_valid_host(host)


class _McpScope:
    """The mount's view of the request, and the app's mapping of an escaped exception."""

    def __init__(self, endpoint: Any) -> None:
        self._endpoint = endpoint

    async def __call__(self, scope: Any, receive: Receive, send: Send) -> None:
        inner: Any = dict(scope)
        inner["path"] = scope["path"][len(_PREFIX) - 1 :] + "/"
        inner["path_params"] = {}
        inner["path_template"] = "/mcp"
        started = False

        async def tracking(message: Any) -> None:
            nonlocal started
            started = True
            await send(message)

        try:
            await self._endpoint(inner, receive, tracking)
        except Exception as exc:
            if started:
                raise
            request: Request[Any, Any, Any] = Request(scope, receive)
            handle = next(
                exception_handlers[c] for c in type(exc).__mro__ if c in exception_handlers
            )
            answer = handle(request, exc)
            app: Litestar = scope["app"]
            await answer.to_asgi_response(app=app, request=request)(scope, receive, send)

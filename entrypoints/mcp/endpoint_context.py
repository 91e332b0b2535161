"""How a request's endpoint reaches the MCP handlers: the ASGI scope, or a context variable.

Handlers get the HTTP request as `ctx.request` on every HTTP path, so the scope is the
primary carrier. `get_tool_input_schema` runs before handlers and gets no request, and stdio
has no request at all: both read the context variable, set by the mount or the run command.
"""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any

from application.usecases.endpoint_catalog import EndpointSnapshot

__all__ = ["bind_endpoint", "current_endpoint", "endpoint_of", "scope_of"]

_SCOPE_KEY = "specmcp.endpoint"

current_endpoint: ContextVar[EndpointSnapshot | None] = ContextVar(
    "specmcp_current_endpoint", default=None
)


def bind_endpoint(scope: dict[str, Any] | None, snapshot: EndpointSnapshot) -> None:
    """Make `snapshot` the endpoint of this request (scope) and of this task (context)."""
    if scope is not None:
        scope[_SCOPE_KEY] = snapshot
    current_endpoint.set(snapshot)


def scope_of(request: Any) -> dict[str, Any] | None:
    """The ASGI scope of the SDK's request object, when there is one (not on stdio)."""
    scope = getattr(request, "scope", None)
    return scope if isinstance(scope, dict) else None


def endpoint_of(request: Any) -> EndpointSnapshot | None:
    """The endpoint the request was authenticated for."""
    scope = scope_of(request)
    if scope is not None and (snapshot := scope.get(_SCOPE_KEY)) is not None:
        return snapshot  # type: ignore[no-any-return]
    return current_endpoint.get()

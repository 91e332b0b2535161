"""The one low-level MCP `Server` of a process: every endpoint's tools, looked up per request."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Mapping
from typing import Any, Protocol

import msgspec
from mcp import MCPError
from mcp.server.caching import CacheHint
from mcp.server.context import ServerRequestContext
from mcp.server.lowlevel import Server
from mcp_types import INTERNAL_ERROR, CallToolRequestParams, PaginatedRequestParams
from mcp_types.version import MODERN_PROTOCOL_VERSIONS

from application.usecases.call_tool import UnknownTool
from application.usecases.endpoint_catalog import EndpointSnapshot
from application.usecases.run_tool_call import RunToolCall
from domain.errors import (
    InvalidRequest,
    PlanLimitReached,
    RateLimited,
    SecretUnavailable,
    UpstreamUnavailable,
)
from entrypoints.http.request_ids import request_id_of
from entrypoints.mcp.endpoint_context import current_endpoint, endpoint_of, scope_of
from entrypoints.mcp.tenant_server_info import TenantServerInfo
from entrypoints.mcp.tool_listing import listed_tools
from entrypoints.mcp.tool_results import (
    invalid_request_result,
    outcome_result,
    plan_limit_error,
    quota_error,
    secret_unavailable_result,
    unknown_tool_error,
    upstream_unavailable_result,
    with_request_id,
)
from entrypoints.observability.request_context import bind_request_id, release_request_id
from entrypoints.store_outage import (
    RETRY_AFTER_SECONDS,
    UNAVAILABLE_MESSAGE,
    is_store_unavailable,
)

__all__ = ["TOOL_LIST_TTL_MS", "ToolCallMetrics", "build_mcp_server"]

log = logging.getLogger("specmcp.mcp")

TOOL_LIST_TTL_MS = 60_000
"""How long a 2026-07-28 client may reuse a tool list: toggled tools show within a minute."""


def _endpoint(ctx: ServerRequestContext[Any, Any]) -> EndpointSnapshot:
    snapshot = endpoint_of(ctx.request)
    if snapshot is None:  # only reachable if the server is served without the mount
        raise MCPError(code=INTERNAL_ERROR, message="No endpoint is bound to this request.")
    return snapshot


def _shaped(ctx: ServerRequestContext[Any, Any], result: dict[str, Any]) -> dict[str, Any]:
    # 2026-07-28 results must say what they are; handshake-era results must not.
    if ctx.protocol_version in MODERN_PROTOCOL_VERSIONS:
        result["resultType"] = "complete"
    return result


_HEADER_ANNOTATIONS: dict[str, bool] = {}
"""validator_key -> whether the tool's input schema mentions `x-mcp-header` at all."""


def _input_schema(name: str) -> Mapping[str, Any] | None:
    """The schema the SDK checks `Mcp-Param-*` headers against, only when it can matter.

    The SDK walks the whole schema on every tools/call (twice) looking for `x-mcp-header`
    annotations; a schema without any validates every request, so None (no check) is the same
    answer without the walk. Whether a tool's schema has one is computed once per tool version.
    """
    # Runs before handlers with no request: the mount put the endpoint in the context.
    snapshot = current_endpoint.get()
    entry = snapshot.tools.get(name) if snapshot is not None else None
    if entry is None or not entry.tool.is_active:
        return None
    annotated = _HEADER_ANNOTATIONS.get(entry.validator_key)
    if annotated is None:
        if len(_HEADER_ANNOTATIONS) >= 50_000:
            _HEADER_ANNOTATIONS.clear()
        annotated = b'"x-mcp-header"' in msgspec.json.encode(entry.tool.input_schema)
        _HEADER_ANNOTATIONS[entry.validator_key] = annotated
    return entry.tool.input_schema if annotated else None


class ToolCallMetrics(Protocol):
    """Where tool calls are counted (PrometheusMetrics); outcomes as TOOL_CALL_OUTCOMES."""

    def tool_call(self, outcome: str, upstream_seconds: float | None = None) -> None: ...

    def refusal(self, gate: str, reason: str) -> None: ...


def _unexpected(exc: Exception, request_id: str) -> MCPError:
    if is_store_unavailable(exc):
        log.warning("database unavailable on tools/call [%s]: %s", request_id, type(exc).__name__)
        data: dict[str, Any] = {"reason": "service_unavailable"}
        data["retryAfterSeconds"] = RETRY_AFTER_SECONDS
        data["requestId"] = request_id
        return MCPError(code=-32000, message=UNAVAILABLE_MESSAGE, data=data)
    log.error("tools/call failed [%s]", request_id, exc_info=exc)
    return MCPError(
        code=INTERNAL_ERROR,
        message="Something went wrong on our side.",
        data={"requestId": request_id},
    )


def build_mcp_server(
    run_tool_call: RunToolCall,
    *,
    version: str = "0.1.0",
    metrics: ToolCallMetrics | None = None,
) -> Server[Any]:
    """The SDK server whose handlers serve the endpoint bound to each request.

    JSON-RPC errors carry `data.requestId`, the id of the request's log rows and log lines.
    """

    async def list_tools(
        ctx: ServerRequestContext[Any, Any], params: PaginatedRequestParams | None
    ) -> dict[str, Any]:
        return _shaped(ctx, {"tools": listed_tools(_endpoint(ctx))})

    async def call_tool(
        ctx: ServerRequestContext[Any, Any], params: CallToolRequestParams
    ) -> dict[str, Any]:
        snapshot = _endpoint(ctx)
        scope = scope_of(ctx.request)
        request_id = request_id_of(scope) if scope is not None else secrets.token_hex(12)
        token = bind_request_id(request_id)  # the SDK may serve this in a task of its own
        try:
            return _shaped(ctx, await _call(snapshot, params, request_id))
        finally:
            release_request_id(token)

    async def _call(
        snapshot: EndpointSnapshot, params: CallToolRequestParams, request_id: str
    ) -> dict[str, Any]:
        try:
            outcome = await run_tool_call(
                snapshot, params.name, params.arguments, source="mcp", request_id=request_id
            )
        except UnknownTool:
            _count("invalid")
            raise with_request_id(unknown_tool_error(params.name), request_id) from None
        except RateLimited as exc:
            _count("blocked", refusal=exc.reason)
            raise with_request_id(quota_error(exc), request_id) from None
        except PlanLimitReached as exc:
            _count("blocked", refusal="plan_limit")
            raise with_request_id(plan_limit_error(exc), request_id) from None
        except InvalidRequest as exc:
            _count("invalid")
            return invalid_request_result(exc)
        except UpstreamUnavailable as exc:
            _count("upstream_error")
            return upstream_unavailable_result(exc)
        except SecretUnavailable as exc:
            _count("invalid")
            log.warning("credential of server %s cannot be opened", snapshot.server.id)
            return secret_unavailable_result(exc)
        except Exception as exc:
            # Never the SDK's default (code 0, message str(exc)): driver errors name SQL and hosts.
            raise _unexpected(exc, request_id) from None
        _count("is_error" if outcome.is_error else "ok", upstream_ms=outcome.upstream_ms)
        return outcome_result(outcome)

    def _count(outcome: str, refusal: str | None = None, upstream_ms: float | None = None) -> None:
        if metrics is None:
            return
        metrics.tool_call(outcome, None if upstream_ms is None else upstream_ms / 1000)
        if refusal is not None:
            metrics.refusal("metering", refusal)

    server: Server[Any] = Server(
        "specmcp",
        version=version,
        on_list_tools=list_tools,  # type: ignore[arg-type]  # dict results are accepted
        on_call_tool=call_tool,  # type: ignore[arg-type]
        get_tool_input_schema=_input_schema,
        cache_hints={"tools/list": CacheHint(ttl_ms=TOOL_LIST_TTL_MS, scope="private")},
    )
    # Replaces the default OpenTelemetry middleware: no exporter here, so it is pure cost.
    server.middleware = [TenantServerInfo()]
    return server

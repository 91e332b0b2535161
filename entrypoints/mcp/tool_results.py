"""Tool call outcomes and refusals as MCP results or JSON-RPC errors (API.md §10)."""

from __future__ import annotations

from typing import Any

from mcp import MCPError
from mcp_types import INVALID_PARAMS

from application.usecases.call_tool import ToolCallOutcome
from domain.errors import (
    InvalidRequest,
    PlanLimitReached,
    RateLimited,
    SecretUnavailable,
    UpstreamUnavailable,
)

__all__ = [
    "QUOTA_EXCEEDED",
    "error_result",
    "invalid_request_result",
    "outcome_result",
    "plan_limit_error",
    "quota_error",
    "secret_unavailable_result",
    "unknown_tool_error",
    "upstream_unavailable_result",
    "with_request_id",
]

QUOTA_EXCEEDED = -32003
"""JSON-RPC error code of a call refused by the monthly quota or the budget cap."""


def outcome_result(outcome: ToolCallOutcome) -> dict[str, Any]:
    """The upstream's answer: text always, structured content when it was JSON."""
    result: dict[str, Any] = {
        "content": [{"type": "text", "text": outcome.text}],
        "isError": outcome.is_error,
    }
    if outcome.structured is not None and not outcome.is_error:
        result["structuredContent"] = outcome.structured
    return result


def error_result(text: str) -> dict[str, Any]:
    """A tool result that tells the model the call failed, and why."""
    return {"content": [{"type": "text", "text": text}], "isError": True}


def _path_text(path: tuple[str | int, ...]) -> str:
    return ".".join(str(part) for part in path) or "arguments"


def invalid_request_result(error: InvalidRequest) -> dict[str, Any]:
    """Invalid arguments or a missing credential, naming each problem."""
    lines = [error.message, *(f"- {_path_text(p.path)}: {p.message}" for p in error.problems)]
    return error_result("\n".join(lines))


def upstream_unavailable_result(error: UpstreamUnavailable) -> dict[str, Any]:
    """No usable answer from the upstream API (or its token endpoint)."""
    return error_result(f"The upstream API could not be used ({error.reason}): {error.message}")


def secret_unavailable_result(error: SecretUnavailable) -> dict[str, Any]:
    """The stored credential cannot be opened; the owner must store it again."""
    return error_result(
        f"The stored credential for this server cannot be used; store it again. ({error.message})"
    )


def unknown_tool_error(name: str) -> MCPError:
    """JSON-RPC -32602 for a tool that is not served (unknown or inactive)."""
    return MCPError(code=INVALID_PARAMS, message=f"Unknown tool: {name[:100]}")


def plan_limit_error(error: PlanLimitReached) -> MCPError:
    """JSON-RPC -32003 for a server beyond the plan's active-server limit (after a downgrade)."""
    data = dict(error.details or {})
    data.setdefault("reason", "plan_limit")
    return MCPError(code=QUOTA_EXCEEDED, message=error.message, data=data)


def quota_error(error: RateLimited) -> MCPError:
    """JSON-RPC -32003 for a call refused by quota or budget, with the reason in `data`."""
    data = dict(error.details or {})
    data.setdefault("reason", error.reason)
    data["retryAfterSeconds"] = error.retry_after_seconds
    return MCPError(code=QUOTA_EXCEEDED, message=error.message, data=data)


def with_request_id(error: MCPError, request_id: str) -> MCPError:
    """The same JSON-RPC error with `data.requestId` (data made an object when it was none)."""
    data = error.data if isinstance(error.data, dict) else {}
    return MCPError(code=error.code, message=error.message, data={**data, "requestId": request_id})

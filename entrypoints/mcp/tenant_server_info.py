"""A server middleware that names the tenant's server in `serverInfo`.

One SDK `Server` serves every endpoint, so its own identity is generic; the `initialize`
result and the 2026-07-28 `_meta` server-info stamp are rewritten per request instead.
"""

from __future__ import annotations

from typing import Any

from mcp.server.context import CallNext, HandlerResult, ServerRequestContext
from mcp_types import SERVER_INFO_META_KEY

from entrypoints.mcp.endpoint_context import endpoint_of

__all__ = ["TenantServerInfo"]


def _renamed(info: Any, name: str) -> Any:
    return {**info, "name": name} if isinstance(info, dict) else info


class TenantServerInfo:
    """Puts the endpoint's server name into `serverInfo` wherever the SDK stamped it."""

    async def __call__(
        self, ctx: ServerRequestContext[Any, Any], call_next: CallNext
    ) -> HandlerResult:
        result = await call_next(ctx)
        if not isinstance(result, dict):
            return result
        snapshot = endpoint_of(ctx.request)
        if snapshot is None:
            return result
        name = snapshot.server.name
        if "serverInfo" in result:
            result["serverInfo"] = _renamed(result["serverInfo"], name)
        meta = result.get("_meta")
        if isinstance(meta, dict) and SERVER_INFO_META_KEY in meta:
            stamp = _renamed(meta[SERVER_INFO_META_KEY], name)
            result["_meta"] = {**meta, SERVER_INFO_META_KEY: stamp}
        return result

"""The Litestar mount that hands everything under /mcp to the app's `HostedMcpEndpoint`."""

from __future__ import annotations

from litestar import asgi
from litestar.types import Receive, Scope, Send

__all__ = ["MCP_STATE_KEY", "mcp_mount"]

MCP_STATE_KEY = "mcp_endpoint"


@asgi("/mcp", is_mount=True, copy_scope=True)
async def mcp_mount(scope: Scope, receive: Receive, send: Send) -> None:
    """Streamable HTTP at /mcp/{endpointId}; legacy SSE at /mcp/{endpointId}/sse."""
    # Path parameters on @asgi routes break Litestar's routing trie: the mount parses the id.
    await scope["app"].state[MCP_STATE_KEY](scope, receive, send)

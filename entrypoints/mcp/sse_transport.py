"""Legacy HTTP+SSE (protocol 2024-11-05) at /mcp/{endpointId}/sse.

The client opens `GET .../sse`, is told to post its messages to `.../messages?session_id=`,
and reads the answers from the open stream. Sessions live in this process (API.md §10):
with several workers, route message posts by `session_id` to the worker that holds it.
Each session is bound to the credential that opened it (`scope["user"]`), so another
tenant's token cannot post into it.
"""

from __future__ import annotations

from typing import Any

from mcp.server.lowlevel import Server
from mcp.server.sse import SseServerTransport

__all__ = ["MESSAGES_SEGMENT", "SSE_SEGMENT", "LegacySseEndpoint"]

SSE_SEGMENT = "sse"
MESSAGES_SEGMENT = "messages"


class LegacySseEndpoint:
    """One SSE transport for all endpoints of the process, driving the shared server."""

    def __init__(self, server: Server[Any], max_body_bytes: int) -> None:
        self._server = server
        self._transport = SseServerTransport(
            f"/{MESSAGES_SEGMENT}", max_request_body_size=max_body_bytes
        )

    async def open_stream(self, scope: Any, receive: Any, send: Any, endpoint_root: str) -> None:
        """Serve one SSE session until the client leaves.

        `endpoint_root` (`/mcp/{endpointId}`) becomes the root path, so the `endpoint` event
        names this endpoint's message path.
        """
        scope["root_path"] = endpoint_root
        async with self._transport.connect_sse(scope, receive, send) as (reader, writer):
            await self._server.run(reader, writer, self._server.create_initialization_options())

    async def post_message(self, scope: Any, receive: Any, send: Any) -> None:
        """Hand one posted JSON-RPC message to its session (202), or 404 for no session."""
        await self._transport.handle_post_message(scope, receive, send)

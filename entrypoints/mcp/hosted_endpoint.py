"""The MCP endpoint of one process: the SDK server, its transports and the mount."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from mcp.server.streamable_http_manager import StreamableHTTPSessionManager

from entrypoints.container import Container
from entrypoints.mcp.endpoint_mount import McpEndpointMount
from entrypoints.mcp.http_replies import refuse
from entrypoints.mcp.mcp_server import build_mcp_server
from entrypoints.mcp.origin_policy import OriginPolicy
from entrypoints.mcp.sse_transport import LegacySseEndpoint

__all__ = ["MAX_MCP_BODY_BYTES", "HostedMcpEndpoint", "build_mount"]

MAX_MCP_BODY_BYTES = 4 * 1024 * 1024
"""The SDK's default body limit; tool arguments never need more."""


def build_mount(container: Container, mount_path: str = "/mcp") -> McpEndpointMount:
    """The mount with a fresh SDK server and session manager (a manager runs only once)."""
    settings = container.settings()
    server = build_mcp_server(container.run_tool_call(), metrics=container.metrics())
    # Stateless JSON replies: any worker or instance answers any request, at the lowest CPU
    # cost. Origin is checked by the mount (the SDK's checks are off without settings).
    manager = StreamableHTTPSessionManager(
        app=server,
        stateless=True,
        json_response=True,
        max_request_body_size=MAX_MCP_BODY_BYTES,
    )
    return McpEndpointMount(
        catalog=container.endpoint_catalog(),
        rate_limiter=container.rate_limiter(),
        origins=OriginPolicy.configured(settings.public_url, settings.mcp_allowed_origins),
        manager=manager,
        legacy=LegacySseEndpoint(server, MAX_MCP_BODY_BYTES),
        mount_path=mount_path,
        max_body_bytes=MAX_MCP_BODY_BYTES,
        metrics=container.metrics(),
    )


class HostedMcpEndpoint:
    """An ASGI app serving every endpoint under `mount_path` while `running()` is entered."""

    def __init__(self, container: Container, mount_path: str = "/mcp") -> None:
        self._container = container
        self._mount_path = mount_path
        self._mount: McpEndpointMount | None = None

    @asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        """Build the endpoint and run the session manager's task group (enter in the lifespan)."""
        # The SDK logs every stateless POST at INFO ("Terminating session: None").
        logging.getLogger("mcp").setLevel(logging.WARNING)
        mount = build_mount(self._container, self._mount_path)
        async with mount.running():
            self._mount = mount
            try:
                yield
            finally:
                self._mount = None

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if self._mount is None:
            await refuse(send, 503, "The MCP endpoint is not running.")
            return
        await self._mount(scope, receive, send)

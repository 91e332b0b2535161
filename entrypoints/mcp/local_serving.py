"""Serving a local endpoint over stdio, or over Streamable HTTP (+ legacy SSE) on a port."""

from __future__ import annotations

import logging
from typing import Any

import uvicorn
from mcp.server.stdio import stdio_server

from entrypoints.container import Container
from entrypoints.mcp.endpoint_context import bind_endpoint
from entrypoints.mcp.endpoint_mount import McpEndpointMount
from entrypoints.mcp.hosted_endpoint import build_mount
from entrypoints.mcp.http_replies import refuse
from entrypoints.mcp.local_endpoint import LocalEndpoint
from entrypoints.mcp.mcp_server import build_mcp_server

__all__ = ["serve_http", "serve_stdio"]

_PREFIX = "/mcp"


async def serve_stdio(container: Container, endpoint: LocalEndpoint) -> None:
    """Serve the endpoint on stdin/stdout until the client closes them."""
    server = build_mcp_server(container.run_tool_call())
    # No HTTP request carries the endpoint here: the context does, for every handler task.
    bind_endpoint(None, endpoint.snapshot)
    async with stdio_server() as (reader, writer):
        await server.run(reader, writer, server.create_initialization_options())


class _LocalHttpApp:
    """/mcp/{endpointId} (and /sse, /messages) through the hosted mount; nothing else."""

    def __init__(self, container: Container) -> None:
        self._container = container
        self._mount: McpEndpointMount | None = None

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        path: str = scope.get("path", "")
        if scope["type"] != "http" or self._mount is None or not path.startswith(_PREFIX + "/"):
            if scope["type"] == "http":
                await refuse(send, 404, "Not found.")
            return
        await self._mount({**scope, "path": path[len(_PREFIX) :]}, receive, send)

    async def _lifespan(self, receive: Any, send: Any) -> None:
        await receive()  # lifespan.startup
        mount = build_mount(self._container, _PREFIX)
        async with mount.running():
            self._mount = mount
            await send({"type": "lifespan.startup.complete"})
            await receive()  # lifespan.shutdown
        await send({"type": "lifespan.shutdown.complete"})


async def serve_http(container: Container, host: str, port: int) -> None:
    """Serve Streamable HTTP and legacy SSE on `host:port` until interrupted."""
    logging.getLogger("mcp").setLevel(logging.WARNING)
    config = uvicorn.Config(
        _LocalHttpApp(container),
        host=host,
        port=port,
        lifespan="on",
        log_level="warning",
        access_log=False,
    )
    await uvicorn.Server(config).serve()

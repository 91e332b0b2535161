"""Official MCP SDK clients with a bearer token: Streamable HTTP (both eras) and legacy SSE."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx2
from mcp import Client
from mcp.client.sse import sse_client
from mcp.client.streamable_http import streamable_http_client

__all__ = ["MODES", "mcp_client", "sse_mcp_client", "text_of"]

MODES = ("legacy", "2026-07-28")
"""The handshake revision (initialize, then stateless POSTs) and the stateless 2026 one."""


@asynccontextmanager
async def mcp_client(url: str, token: str | None, mode: str = "legacy") -> AsyncIterator[Client]:
    """A connected Streamable HTTP client; `mode` picks the protocol era."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with httpx2.AsyncClient(headers=headers, timeout=30) as http:
        transport = streamable_http_client(url, http_client=http, terminate_on_close=False)
        async with Client(transport, mode=mode) as client:  # type: ignore[arg-type]
            yield client


@asynccontextmanager
async def sse_mcp_client(url: str, token: str) -> AsyncIterator[Client]:
    """A connected legacy HTTP+SSE client (protocol 2024-11-05 style)."""
    transport = sse_client(f"{url}/sse", headers={"Authorization": f"Bearer {token}"})
    async with Client(transport, mode="legacy") as client:  # type: ignore[arg-type]
        yield client


def text_of(result: Any) -> str:
    """The text of a tool result's first content block."""
    return str(result.content[0].text)

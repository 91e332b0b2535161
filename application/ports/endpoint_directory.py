"""EndpointDirectory: the MCP endpoint's per-call lookup of a server by its endpoint id."""

from __future__ import annotations

from typing import Protocol

from domain.servers import Server

__all__ = ["EndpointDirectory"]


class EndpointDirectory(Protocol):
    """Reads one server row by endpoint id, as of now (never a cached copy).

    Every tool call makes this lookup, so adapters give it their fastest read path; the
    unit of work's `servers.get_by_endpoint` answers the same question.
    """

    async def server_for_endpoint(self, endpoint_id: str) -> Server | None: ...

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

    async def revision_of_endpoint(self, endpoint_id: str) -> tuple[str, int] | None:
        """The (server id, revision) of the endpoint's server as of now, or None: enough to
        tell whether a server read earlier is still the current row (any change to a server
        raises its revision)."""
        ...

"""A request log row (API.md §6) and the filters a listing takes."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

import msgspec

__all__ = ["LogFilter", "RequestLog"]


class RequestLog(msgspec.Struct, frozen=True, kw_only=True):
    """One metered call, allowed or blocked.

    `status_code` is the upstream's status, 429 for a call the gate refused, None when no answer
    came. `blocked` marks refused calls (they never reached the upstream and are not counted).
    Headers are already masked and bodies already capped and scrubbed of secrets.
    """

    id: str
    owner_id: str
    server_id: str
    tool_id: str | None
    tool_name: str
    source: Literal["mcp", "test"]
    request_id: str
    method: str
    path: str
    status_code: int | None
    duration_ms: float
    upstream_ms: float | None
    is_error: bool
    blocked: bool = False
    error_code: str | None = None
    error_message: str | None = None
    request_headers: tuple[tuple[str, str], ...] = ()
    request_body: str | None = None
    response_body: str | None = None
    created_at: datetime


class LogFilter(msgspec.Struct, frozen=True, kw_only=True):
    """Every filter of a log listing; None means "any". `since` inclusive, `until` exclusive."""

    method: str | None = None
    status_code: int | None = None
    since: datetime | None = None
    until: datetime | None = None
    tool_name: str | None = None

    def matches(self, row: RequestLog) -> bool:
        """The same rule the SQL adapter applies (the memory adapter uses this)."""
        return (
            (self.method is None or row.method == self.method)
            and (self.status_code is None or row.status_code == self.status_code)
            and (self.since is None or row.created_at >= self.since)
            and (self.until is None or row.created_at < self.until)
            and (self.tool_name is None or row.tool_name == self.tool_name)
        )

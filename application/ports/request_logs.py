"""Request log ports: the store, its usage statistics, and the sink the hot path writes to."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Protocol

import msgspec

from domain.logs.log_cursor import LogCursor
from domain.logs.request_log import LogFilter, RequestLog

__all__ = ["LogSink", "LogStatistics", "RequestLogStore", "ServerUsage"]


class RequestLogStore(Protocol):
    """Request log rows; listings are newest first (created_at, then id, descending)."""

    async def add_many(self, rows: Sequence[RequestLog]) -> None:
        """Insert every row (one statement per batch)."""

    async def page(
        self,
        server_id: str,
        where: LogFilter,
        *,
        after: LogCursor | None,
        not_before: datetime,
        limit: int,
    ) -> Sequence[RequestLog]:
        """Up to `limit` rows of the server matching `where`, strictly after the cursor in
        listing order, none older than `not_before` (the plan's retention)."""

    async def purge(self, cutoffs: Mapping[str, datetime], default_cutoff: datetime) -> int:
        """Delete rows older than the cutoff of their owner's plan (`default_cutoff` for an
        owner whose plan is not in `cutoffs` or who is gone); returns how many."""


class ServerUsage(msgspec.Struct, frozen=True, kw_only=True):
    """One server's calls in a time range: allowed ones, errors among them, latency."""

    server_id: str
    requests: int
    errors: int
    p50_ms: float | None
    p95_ms: float | None


class LogStatistics(Protocol):
    """Aggregates over the log rows, computed by the store (never by loading rows)."""

    async def usage_by_server(
        self, owner_id: str, since: datetime, until: datetime
    ) -> Sequence[ServerUsage]:
        """Per server with rows in [since, until): allowed calls, errors among them (isError),
        and the nearest-rank 50th and 95th percentiles of their durationMs. Blocked calls are
        in none of these figures."""


class LogSink(Protocol):
    """Where the hot path drops log rows: never waits for the store, never loses a row on a
    clean shutdown."""

    def record(self, row: RequestLog) -> None: ...

    async def flush(self) -> None:
        """Write everything recorded so far."""

"""The log route's query parsing and row view (API.md §6)."""

from __future__ import annotations

from datetime import datetime

import msgspec

from domain.errors import FieldProblem, InvalidRequest
from domain.logs.request_log import LogFilter, RequestLog

__all__ = ["LogView", "log_filter", "log_view"]

_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE"})


class LogView(msgspec.Struct, frozen=True, rename="camel"):
    """One metered call; `blocked` marks a call the gate refused (statusCode 429 or 403)."""

    id: str
    server_id: str
    tool_id: str | None
    tool_name: str
    source: str
    request_id: str
    method: str
    path: str
    status_code: int | None
    duration_ms: float
    upstream_ms: float | None
    is_error: bool
    blocked: bool
    error_code: str | None
    error_message: str | None
    request_headers: dict[str, str]
    request_body: str | None
    response_body: str | None
    timestamp: datetime


def log_view(row: RequestLog) -> LogView:
    return LogView(
        id=row.id,
        server_id=row.server_id,
        tool_id=row.tool_id,
        tool_name=row.tool_name,
        source=row.source,
        request_id=row.request_id,
        method=row.method,
        path=row.path,
        status_code=row.status_code,
        duration_ms=row.duration_ms,
        upstream_ms=row.upstream_ms,
        is_error=row.is_error,
        blocked=row.blocked,
        error_code=row.error_code,
        error_message=row.error_message,
        request_headers=dict(row.request_headers),
        request_body=row.request_body,
        response_body=row.response_body,
        timestamp=row.created_at,
    )


def _moment(text: str | None, name: str, problems: list[FieldProblem]) -> datetime | None:
    if text is None or text == "":
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        moment = None
    if moment is None or moment.utcoffset() is None:
        problems.append(FieldProblem((name,), "must be an RFC 3339 timestamp with a time zone"))
        return None
    return moment


def log_filter(
    method: str | None,
    status_code: int | None,
    since: str | None,
    until: str | None,
    tool_name: str | None,
) -> LogFilter:
    """The filters of a log query; every problem named (400).

    `from` is inclusive and `to` exclusive.
    """
    problems: list[FieldProblem] = []
    wanted_method = method.strip().upper() if method else None
    if wanted_method is not None and wanted_method not in _METHODS:
        problems.append(FieldProblem(("method",), "must be an HTTP method"))
    if status_code is not None and not 100 <= status_code <= 599:
        problems.append(FieldProblem(("statusCode",), "must be between 100 and 599"))
    start, end = _moment(since, "from", problems), _moment(until, "to", problems)
    if tool_name is not None and not 1 <= len(tool_name) <= 200:
        problems.append(FieldProblem(("toolName",), "must be 1..200 characters"))
    if problems:
        raise InvalidRequest("Invalid log query.", problems)
    return LogFilter(
        method=wanted_method,
        status_code=status_code,
        since=start,
        until=end,
        tool_name=tool_name or None,
    )

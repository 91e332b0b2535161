"""Telling "the database is unreachable right now" apart from a bug (docs/security.md, Faults).

While PostgreSQL restarts or fails over, every statement fails with one of a few driver errors:
the connection is refused, the server says it is shutting down or starting up, or a pooled
connection is cut mid-query. Such a failure is ours but passing, and the caller can retry: the
HTTP API answers `503` (code `INTERNAL_ERROR`, `details.reason = "service_unavailable"`,
`Retry-After`), the MCP endpoint an HTTP `503` or a JSON-RPC error `-32000` with the same
reason. Anything else stays a `500`.
"""

from __future__ import annotations

import socket

import asyncpg
from sqlalchemy import exc as sa_exc

__all__ = ["RETRY_AFTER_SECONDS", "UNAVAILABLE_MESSAGE", "is_store_unavailable"]

RETRY_AFTER_SECONDS = 5
UNAVAILABLE_MESSAGE = "The service is briefly unavailable; retry shortly."

_DRIVER_OUTAGES = (
    ConnectionError,  # refused, reset, aborted, broken pipe
    socket.gaierror,  # the database host name does not resolve (yet)
    asyncpg.PostgresConnectionError,  # class 08, and a connection closed mid-operation
    asyncpg.exceptions.OperatorInterventionError,  # shutting down, starting up, admin shutdown
    asyncpg.exceptions.TooManyConnectionsError,
    sa_exc.TimeoutError,  # no pooled connection came free within pool_timeout
    TimeoutError,  # the driver's connect or command time limit passed (a hung database)
)


def is_store_unavailable(error: BaseException) -> bool:
    """True when `error` (or what caused it) says the database cannot be reached right now."""
    seen: set[int] = set()
    pending: list[BaseException | None] = [error]
    while pending:
        current = pending.pop()
        if current is None or id(current) in seen or len(seen) > 20:
            continue
        seen.add(id(current))
        if isinstance(current, _DRIVER_OUTAGES):
            return True
        if isinstance(current, sa_exc.DBAPIError):
            if current.connection_invalidated:
                return True
            pending.append(current.orig)
        pending += [current.__cause__, current.__context__]
    return False

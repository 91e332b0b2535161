"""The current request's id, for every log line written while serving it."""

from __future__ import annotations

from contextvars import ContextVar, Token

__all__ = ["bind_request_id", "current_request_id", "release_request_id"]

_request_id: ContextVar[str | None] = ContextVar("specmcp_request_id", default=None)


def bind_request_id(request_id: str) -> Token[str | None]:
    """Make `request_id` current in this task (and the tasks it starts)."""
    return _request_id.set(request_id)


def release_request_id(token: Token[str | None]) -> None:
    """Restore what was current before `bind_request_id`."""
    _request_id.reset(token)


def current_request_id() -> str | None:
    """The id of the request being served here, if any."""
    return _request_id.get()

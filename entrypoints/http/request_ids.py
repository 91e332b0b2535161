"""Request ids: taken from a sane X-Request-Id header or made fresh, kept in the ASGI scope."""

from __future__ import annotations

import re
import secrets
from typing import Any

__all__ = ["assign_request_id", "request_id_of"]

_SANE = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
_KEY = "specmcp.request_id"


def assign_request_id(scope: Any) -> str:
    """Give the request an id (the caller's X-Request-Id when it is sane)."""
    rid = None
    for name, value in scope.get("headers", ()):
        if name == b"x-request-id":
            candidate = value.decode("latin-1")
            if _SANE.match(candidate):
                rid = candidate
            break
    rid = rid or secrets.token_hex(12)
    scope.setdefault("state", {})[_KEY] = rid
    return rid


def request_id_of(scope: Any) -> str:
    """The request's id (assigned on first use)."""
    state = scope.get("state") or {}
    return str(state.get(_KEY) or assign_request_id(scope))

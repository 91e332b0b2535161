"""Which browser origins may call the MCP endpoint (the spec requires an Origin check).

Allowed: the public URL's origin, localhost origins on any port, and the origins listed in
`SPECMCP_MCP_ALLOWED_ORIGINS` (comma-separated, e.g. `https://app.example.com`). A request
without an `Origin` header is not from a browser page and passes.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from urllib.parse import urlsplit

__all__ = ["ALLOWED_ORIGINS_VARIABLE", "OriginPolicy"]

ALLOWED_ORIGINS_VARIABLE = "SPECMCP_MCP_ALLOWED_ORIGINS"
_LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})


def _origin_of(url: str) -> str | None:
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    return f"{parts.scheme}://{parts.netloc.lower()}"


class OriginPolicy:
    """Decides whether an `Origin` header value may use the endpoint."""

    def __init__(self, allowed: frozenset[str]) -> None:
        self._allowed = allowed

    @classmethod
    def from_env(cls, public_url: str, env: Mapping[str, str] | None = None) -> OriginPolicy:
        """The public URL's origin plus `SPECMCP_MCP_ALLOWED_ORIGINS` (read at start-up)."""
        listed = (os.environ if env is None else env).get(ALLOWED_ORIGINS_VARIABLE, "")
        candidates = [public_url, *listed.split(",")]
        return cls(frozenset(o for o in map(_origin_of, candidates) if o))

    def allows(self, origin: str | None) -> bool:
        """True for no origin, a listed origin, or a localhost origin."""
        if origin is None:
            return True
        normalised = _origin_of(origin)
        if normalised is None:
            return False  # "null" (sandboxed frames, file://) and garbage are refused
        return normalised in self._allowed or urlsplit(normalised).hostname in _LOCAL_HOSTS

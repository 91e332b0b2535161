"""Which browser origins may call the MCP endpoint (the spec requires an Origin check).

Allowed: the public URL's origin, localhost origins on any port, and the origins listed in
`SPECMCP_MCP_ALLOWED_ORIGINS` (`Settings.mcp_allowed_origins`, e.g. `https://app.example.com`).
A request without an `Origin` header is not from a browser page and passes.
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlsplit

__all__ = ["OriginPolicy"]

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
    def configured(cls, public_url: str, listed: Iterable[str] = ()) -> OriginPolicy:
        """The public URL's origin plus the `listed` ones (SPECMCP_MCP_ALLOWED_ORIGINS)."""
        candidates = [public_url, *listed]
        return cls(frozenset(o for o in map(_origin_of, candidates) if o))

    def allows(self, origin: str | None) -> bool:
        """True for no origin, a listed origin, or a localhost origin."""
        if origin is None:
            return True
        normalised = _origin_of(origin)
        if normalised is None:
            return False  # "null" (sandboxed frames, file://) and garbage are refused
        return normalised in self._allowed or urlsplit(normalised).hostname in _LOCAL_HOSTS

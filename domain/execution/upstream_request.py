"""The HTTP request a tool call becomes, before it leaves through the outbound guard."""

from __future__ import annotations

import msgspec

__all__ = ["UpstreamRequest"]


class UpstreamRequest(msgspec.Struct, frozen=True):
    """Method, absolute URL (with its query string), headers in order, and the encoded body."""

    method: str
    url: str
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes | None = None
    content_type: str | None = None

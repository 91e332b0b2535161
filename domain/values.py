"""Value objects checked at construction: URLs and slugs."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import msgspec

__all__ = ["HttpUrl", "Slug"]

_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


class HttpUrl(msgspec.Struct, frozen=True):
    """An absolute http(s) URL with a host, at most 2000 characters."""

    value: str

    def __post_init__(self) -> None:
        if len(self.value) > 2000:
            raise ValueError("must be at most 2000 characters")
        if any(c.isspace() or ord(c) < 32 for c in self.value):
            raise ValueError("must not contain spaces or control characters")
        try:
            parts = urlsplit(self.value)
            port = parts.port  # raises on a malformed port
        except ValueError as exc:
            raise ValueError("must be a valid URL") from exc
        if parts.scheme not in ("http", "https"):
            raise ValueError("must be an http or https URL")
        if not parts.hostname:
            raise ValueError("must name a host")
        if port == 0:
            raise ValueError("must not use port 0")


class Slug(msgspec.Struct, frozen=True):
    """3..50 characters: lowercase letters, digits and single inner hyphens."""

    value: str

    def __post_init__(self) -> None:
        if not 3 <= len(self.value) <= 50:
            raise ValueError("must be 3..50 characters")
        if not _SLUG.match(self.value):
            raise ValueError("only lowercase letters, digits and single inner hyphens")

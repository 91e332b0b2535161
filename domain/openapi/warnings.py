"""Warnings: what the compiler skipped or approximated, with a JSON pointer into the document."""

from __future__ import annotations

import msgspec

__all__ = ["CompileWarning", "json_pointer"]


class CompileWarning(msgspec.Struct, frozen=True):
    """Something skipped or approximated, and where (`pointer` is an RFC 6901 JSON pointer)."""

    code: str
    message: str
    pointer: str


def json_pointer(*parts: str | int) -> str:
    """Build an RFC 6901 pointer from raw keys, escaping `~` and `/`."""
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)

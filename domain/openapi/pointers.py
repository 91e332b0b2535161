"""Lazy JSON pointers: where a schema sits, spelled out only when a warning needs it.

The converter visits every schema node of a document; building and escaping a pointer string
for each keyword cost more than the conversion itself, and only warnings ever read them. A
`Where` is the pointer text of an ancestor, or a `(parent, token)` pair below it.
"""

from __future__ import annotations

from typing import Any, TypeAlias

__all__ = ["Where", "pointer_text"]

Where: TypeAlias = str | tuple[Any, str | int]


def pointer_text(where: Where) -> str:
    """The RFC 6901 pointer of `where` (tokens escaped)."""
    tokens: list[str] = []
    while isinstance(where, tuple):
        where, token = where
        tokens.append(str(token).replace("~", "~0").replace("/", "~1"))
    return where + "".join("/" + t for t in reversed(tokens))

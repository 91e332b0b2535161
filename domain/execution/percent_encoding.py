"""RFC 3986 percent-encoding for path segments and query components (RFC 6570 expansions)."""

from __future__ import annotations

import re
from urllib.parse import quote

__all__ = ["encode_path", "encode_query", "encode_query_reserved"]

# Reserved characters that keep a meaning inside a query string even with allowReserved:
# `#` ends the query, `&`/`=`/`+` split and decode form pairs, `[`/`]` are not allowed there.
_KEPT_BY_ALLOW_RESERVED = ":/?@!$'()*,;"
_TRIPLE_OR_PERCENT = re.compile(r"%[0-9A-Fa-f]{2}|%")


def encode_path(text: str) -> str:
    """Everything but unreserved characters encoded: `/` in a value becomes `%2F`."""
    return quote(text, safe="")


def encode_query(text: str) -> str:
    """Everything but unreserved characters encoded (spaces as `%20`), as RFC 6570 `{?var}`."""
    return quote(text, safe="")


def encode_query_reserved(text: str) -> str:
    """allowReserved: reserved characters and existing `%XX` triples pass through unchanged.

    A lone `%` is still encoded, and so are the characters that would break the query string.
    """
    pieces: list[str] = []
    last = 0
    for match in _TRIPLE_OR_PERCENT.finditer(text):
        pieces.append(quote(text[last : match.start()], safe=_KEPT_BY_ALLOW_RESERVED))
        pieces.append(match.group() if len(match.group()) == 3 else "%25")
        last = match.end()
    pieces.append(quote(text[last:], safe=_KEPT_BY_ALLOW_RESERVED))
    return "".join(pieces)

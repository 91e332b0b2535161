"""Base URL plus operation path plus query string, without losing the base path or query."""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import urlsplit, urlunsplit

__all__ = ["join_url"]


def join_url(base_url: str, path: str, query_pairs: Sequence[str]) -> str:
    """`https://api.x.com/v1?k=1` + `/users/7` + [`a=b`] is `https://api.x.com/v1/users/7?k=1&a=b`.

    The path is appended to the base path (never resolved against it, so `/v1` is kept and no
    double slash appears); the base's own query comes first; a fragment is dropped.
    """
    base = urlsplit(base_url)
    joined_path = base.path.rstrip("/") + "/" + path.lstrip("/")
    query = "&".join(part for part in (base.query, *query_pairs) if part)
    return urlunsplit((base.scheme, base.netloc, joined_path, query, ""))

"""Secret-free views of a request, for logs and the test route's `request.url`."""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import unquote, urlsplit, urlunsplit

from domain.execution.upstream_request import UpstreamRequest

__all__ = ["MASK", "is_sensitive_header", "masked_headers", "redacted_url"]

MASK = "***"
_SENSITIVE_NAMES = frozenset({"authorization", "proxy-authorization", "cookie", "set-cookie"})
_SENSITIVE_WORDS = ("key", "token", "secret", "password", "auth", "signature", "session")


def is_sensitive_header(name: str) -> bool:
    """Authorization, cookies, and any header whose name sounds like it carries a secret."""
    lowered = name.lower()
    return lowered in _SENSITIVE_NAMES or any(word in lowered for word in _SENSITIVE_WORDS)


def masked_headers(headers: Iterable[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    """The headers with the value of every sensitive one replaced by `***`."""
    return tuple((name, MASK if is_sensitive_header(name) else value) for name, value in headers)


def redacted_url(request: UpstreamRequest, secret_query_names: Iterable[str]) -> str:
    """The URL with the values of the named query parameters and any userinfo password masked."""
    names = set(secret_query_names)
    parts = urlsplit(request.url)
    pairs = []
    for pair in parts.query.split("&") if parts.query else []:
        key = pair.split("=", 1)[0]
        pairs.append(f"{key}={MASK}" if unquote(key) in names else pair)
    netloc = parts.netloc
    if "@" in netloc:
        userinfo, host = netloc.rsplit("@", 1)
        netloc = f"{userinfo.split(':', 1)[0]}:{MASK}@{host}" if ":" in userinfo else netloc
    return urlunsplit(parts._replace(netloc=netloc, query="&".join(pairs)))

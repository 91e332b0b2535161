"""Redirect rules of the guarded client: the next hop's method, body, URL and credentials."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

import httpx

__all__ = ["REDIRECT_STATUSES", "Hop", "next_hop", "same_origin"]

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})

# Always credentials, whatever the caller marks.
_CREDENTIAL_HEADERS = frozenset({"authorization", "cookie", "proxy-authorization"})
_BODY_HEADERS = ("content-type", "content-length", "transfer-encoding", "content-encoding")


@dataclass(frozen=True)
class Hop:
    """One request of a redirect chain; `fields` are its header fields as `httpx.Headers.raw`
    holds them (name as given, value), Host and framing excluded."""

    method: str
    url: httpx.URL
    fields: list[tuple[bytes, bytes]]
    content: bytes | None
    credentials_dropped: bool = False


def same_origin(first: httpx.URL, second: httpx.URL) -> bool:
    """Tell whether two URLs share scheme, host and (effective) port."""
    return (first.scheme, first.host, _port(first)) == (second.scheme, second.host, _port(second))


def next_hop(
    hop: Hop,
    status: int,
    location: str,
    *,
    origin: httpx.URL,
    secret_headers: Collection[str],
    secret_query_params: Collection[str],
) -> Hop:
    """Build the request that follows `hop` answered `status` with `location`.

    Methods follow browsers, which most APIs expect: 303 becomes GET (HEAD stays HEAD); 301 and
    302 turn a POST into a GET, as every browser does despite RFC 9110's "should not"; 307 and
    308 repeat method and body. Once the chain leaves `origin`, credentials are dropped and stay
    dropped, even if a later hop comes back: the redirect chain is not the caller's to trust.

    Raises:
        httpx.InvalidURL: when `location` is not a usable URL.
    """
    url = hop.url.join(location)
    method, content, headers = hop.method, hop.content, httpx.Headers(hop.fields)
    if (status == 303 and method != "HEAD") or (status in (301, 302) and method == "POST"):
        method, content = "GET", None
        for name in _BODY_HEADERS:
            headers.pop(name, None)
    dropped = hop.credentials_dropped or not same_origin(url, origin)
    if dropped:
        secret = _CREDENTIAL_HEADERS | {name.lower() for name in secret_headers}
        for name in list(headers.keys()):
            if name.lower() in secret:
                del headers[name]
        url = _without_query_params(url, secret_query_params)
    return Hop(
        method=method, url=url, fields=headers.raw, content=content, credentials_dropped=dropped
    )


def _without_query_params(url: httpx.URL, names: Collection[str]) -> httpx.URL:
    # Servers often echo the query string into Location; a secret there must not travel on.
    if not names or not url.query:
        return url
    kept = [(key, value) for key, value in url.params.multi_items() if key not in names]
    return url.copy_with(params=kept) if kept else url.copy_with(query=None)


def _port(url: httpx.URL) -> int | None:
    return url.port or {"http": 80, "https": 443}.get(url.scheme)

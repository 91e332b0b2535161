"""The URLs our request builder makes, parsed without running httpx's general parser.

`httpx.URL(text)` takes about 15 us (a character-by-character walk in Python); it is the
largest single cost of the guarded client per tool call. The request builder already writes
URLs in the form httpx would produce: lower-case http(s) scheme and host, percent-encoded path
and query. For such a URL the parsed parts are the text's own parts, so `parse_url` builds the
`httpx.URL` from them directly. Anything else (upper case, IDNA, user info, IPv6, dot segments,
a default port, characters httpx would encode, a fragment) goes through `httpx.URL` as before.

`tests/contract/test_plain_urls.py` checks that both ways give equal URLs, and would fail if a
new httpx changed the internal `ParseResult` this builds on (httpx is pinned in uv.lock).
"""

from __future__ import annotations

import functools
import ipaddress
import re

import httpx
from httpx._urlparse import ParseResult

__all__ = ["parse_url"]

_SEGMENT_CHARS = r"(?:[A-Za-z0-9_~!$&'()*+,;=:@.-]|%[0-9A-Fa-f]{2})"
_PLAIN = re.compile(
    r"(https?)://"
    r"([a-z0-9-]+(?:\.[a-z0-9-]+)*)"  # an ASCII host name (or dotted IPv4), lower case
    r"(?::([1-9][0-9]{0,4}))?"  # a port without leading zeros
    rf"((?:/{_SEGMENT_CHARS}*)*)"
    rf"(?:\?((?:{_SEGMENT_CHARS}|[/?])*))?"
)
_DOTTED_QUAD = re.compile(r"[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+")
_DEFAULT_PORTS = {"http": 80, "https": 443}


def parse_url(text: str) -> httpx.URL:
    """`httpx.URL(text)`, built from the text's parts when it is already in normal form.

    Raises:
        httpx.InvalidURL: as `httpx.URL(text)` would.
    """
    match = _PLAIN.fullmatch(text)
    if match is None:
        return _by_httpx(text)
    scheme, host, port_text, path, query = match.groups()
    port = int(port_text) if port_text else None
    if (
        port == _DEFAULT_PORTS[scheme]
        or (port is not None and port > 65535)
        or "/." in path  # httpx removes "." and ".." segments
        or (_DOTTED_QUAD.fullmatch(host) and not _canonical_ipv4(host))
    ):
        return _by_httpx(text)
    url = httpx.URL.__new__(httpx.URL)
    url._uri_reference = ParseResult(scheme, "", host, port, path, query, None)
    return url


def _by_httpx(text: str) -> httpx.URL:
    return httpx.URL(text)


@functools.lru_cache(maxsize=256)  # ipaddress parses in Python (~3 us); hosts repeat
def _canonical_ipv4(host: str) -> bool:
    try:
        return str(ipaddress.IPv4Address(host)) == host
    except ValueError:
        return False

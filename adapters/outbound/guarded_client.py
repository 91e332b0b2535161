"""The guarded HTTP client: redirects re-checked hop by hop, bodies capped, one time limit."""

from __future__ import annotations

import asyncio
import ssl
import time
from collections.abc import Collection, Mapping, Sequence
from typing import Literal

import httpx

from adapters.outbound.address_policy import AddressPolicy
from adapters.outbound.capped_body import read_capped_body
from adapters.outbound.guarded_response import GuardedResponse
from adapters.outbound.guarded_transport import GuardedTransport
from adapters.outbound.host_resolution import Resolver
from adapters.outbound.plain_urls import parse_url
from adapters.outbound.redirects import REDIRECT_STATUSES, Hop, next_hop
from domain.errors import UpstreamUnavailable

__all__ = ["TOOL_CALL_BODY_LIMIT", "GuardedHttpClient", "build_guarded_client"]

TOOL_CALL_BODY_LIMIT = 1024 * 1024
_DEFAULT_FIELDS = ((b"user-agent", b"specmcp"), (b"accept-encoding", b"gzip, deflate"))
# Set from the URL and the body by httpx; a caller's copy could only contradict them.
_FRAMING_HEADERS = frozenset({"host", "content-length", "transfer-encoding", "connection"})
_LENGTH_FIELDS = (b"content-length", b"transfer-encoding")


class GuardedHttpClient:
    """Sends requests to user-supplied URLs through a `GuardedTransport`.

    Redirects are followed here, not by httpx, so each hop goes back through the transport's
    address check and credentials can be dropped when the origin changes. No cookie jar is kept:
    the client is shared by every user, and one upstream's cookies are nobody else's business.

    Args:
        transport: the guarded transport (owned: closed by `aclose`).
        total_timeout: seconds for a whole request, redirects and body included.
        max_redirects: redirects followed before giving up.
    """

    def __init__(
        self, transport: GuardedTransport, *, total_timeout: float = 30.0, max_redirects: int = 3
    ) -> None:
        self._transport = transport
        self._total_timeout = total_timeout
        self._max_redirects = max_redirects

    async def request(
        self,
        method: str,
        url: str,
        *,
        headers: Mapping[str, str] | None = None,
        content: bytes | None = None,
        secret_headers: Collection[str] = (),
        secret_query_params: Collection[str] = (),
        body_limit: int = TOOL_CALL_BODY_LIMIT,
        over_limit: Literal["truncate", "refuse"] = "truncate",
        total_timeout: float | None = None,
    ) -> GuardedResponse:
        """Send a request and return the final answer.

        Args:
            method: HTTP method.
            url: absolute http(s) URL.
            headers: request headers (Authorization, Cookie and Proxy-Authorization are always
                treated as secret).
            content: request body, repeated on 307/308 redirects.
            secret_headers: more header names dropped when a redirect leaves the origin.
            secret_query_params: query parameter names dropped when a redirect leaves the origin.
            body_limit: the most body bytes kept.
            over_limit: "truncate" cuts the body and marks it; "refuse" raises too_large.
            total_timeout: overrides the client's total time limit for this request.

        Raises:
            UpstreamUnavailable: timeout, connect, dns, blocked_address, too_large or
                bad_response (also for more than `max_redirects` redirects or a malformed URL).
        """
        try:
            first_url = parse_url(url)
        except httpx.InvalidURL as error:
            raise UpstreamUnavailable("The URL is not valid.", reason="bad_response") from error
        hop = Hop(method.upper(), first_url, _initial_fields(headers), content)
        limit = self._total_timeout if total_timeout is None else total_timeout
        started = time.perf_counter()
        try:
            async with asyncio.timeout(limit):
                return await self._follow(
                    hop, secret_headers, secret_query_params, body_limit, over_limit, started
                )
        except TimeoutError as error:
            raise UpstreamUnavailable(
                f"{first_url.host} did not answer within {limit:g} s.", reason="timeout"
            ) from error

    async def aclose(self) -> None:
        """Close the pooled connections."""
        await self._transport.aclose()

    async def _follow(
        self,
        hop: Hop,
        secret_headers: Collection[str],
        secret_query_params: Collection[str],
        body_limit: int,
        over_limit: str,
        started: float,
    ) -> GuardedResponse:
        origin = hop.url
        for _ in range(self._max_redirects + 1):
            content = hop.content or b""
            response = await self._transport.exchange(
                hop.method, hop.url, _wire_headers(hop, content), content
            )
            location = (
                response.headers.get("location") if response.status in REDIRECT_STATUSES else None
            )
            if location is None:
                body, truncated = await read_capped_body(
                    response, hop.url.host, body_limit, over_limit
                )
                return GuardedResponse(
                    status=response.status,
                    headers=tuple(
                        (key.decode("latin-1").lower(), value.decode("latin-1"))
                        for key, value in response.raw_headers
                    ),
                    content=body,
                    truncated=truncated,
                    url=str(hop.url),
                    elapsed_ms=round((time.perf_counter() - started) * 1000, 3),
                )
            await response.aclose()
            try:
                hop = next_hop(
                    hop,
                    response.status,
                    location,
                    origin=origin,
                    secret_headers=secret_headers,
                    secret_query_params=secret_query_params,
                )
            except httpx.InvalidURL as error:
                raise UpstreamUnavailable(
                    f"{hop.url.host} redirected to an invalid URL.", reason="bad_response"
                ) from error
        raise UpstreamUnavailable(
            f"{origin.host} redirected more than {self._max_redirects} times.",
            reason="bad_response",
        )


def _wire_headers(hop: Hop, content: bytes) -> list[tuple[bytes, bytes]]:
    """The header fields exactly as `httpx.Request(method, url, headers, content)` would send
    them: Host first (and `Content-Length: 0` for an empty POST, PUT or PATCH), then the
    hop's fields, then the body's length."""
    names = [name.lower() for name, _ in hop.fields]
    framed = any(name in _LENGTH_FIELDS for name in names)
    wire: list[tuple[bytes, bytes]] = []
    if b"host" not in names and hop.url.host:
        wire.append((b"Host", hop.url.netloc))
    if not framed and not content and hop.method in ("POST", "PUT", "PATCH"):
        wire.append((b"Content-Length", b"0"))
    wire += hop.fields
    if content and not framed:
        wire.append((b"Content-Length", str(len(content)).encode("ascii")))
    return wire


def _initial_fields(headers: Mapping[str, str] | None) -> list[tuple[bytes, bytes]]:
    """`httpx.Headers(defaults)` with each of `headers` set in turn (framing ones skipped), as
    its `.raw`: a name set again replaces its first field in place and drops the others, a new
    name goes last; UTF-8 as httpx encodes set fields. Built as a list: an `httpx.Headers` and
    its lookups cost ~15 us per call for the same bytes."""
    fields = list(_DEFAULT_FIELDS)
    for name, value in (headers or {}).items():
        if name.lower() in _FRAMING_HEADERS:
            continue
        key = name.encode()
        lowered = key.lower()
        found = [i for i, (other, _) in enumerate(fields) if other.lower() == lowered]
        if not found:
            fields.append((key, value.encode()))
            continue
        for index in reversed(found[1:]):
            del fields[index]
        fields[found[0]] = (key, value.encode())
    return fields


def build_guarded_client(
    allow_cidrs: Sequence[str],
    *,
    resolver: Resolver | None = None,
    connect_timeout: float = 5.0,
    total_timeout: float = 30.0,
    max_redirects: int = 3,
    ssl_context: ssl.SSLContext | None = None,
) -> GuardedHttpClient:
    """Build the one guarded client of a process (close it with `aclose` on shutdown).

    Args:
        allow_cidrs: SPECMCP_OUTBOUND_ALLOW_CIDRS, already split.
        resolver: async `(host, port) -> addresses`; the operating system's by default.
        connect_timeout: seconds for resolving and connecting.
        total_timeout: seconds for a whole request, redirects and body included.
        max_redirects: redirects followed before giving up.
        ssl_context: trust store for https; certifi's by default.
    """
    transport = GuardedTransport(
        AddressPolicy(allow_cidrs),
        resolver=resolver,
        connect_timeout=connect_timeout,
        ssl_context=ssl_context,
    )
    return GuardedHttpClient(transport, total_timeout=total_timeout, max_redirects=max_redirects)

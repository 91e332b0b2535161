"""The httpx transport every request to a user-supplied URL goes through (API.md §8)."""

from __future__ import annotations

import re
import ssl
from collections.abc import AsyncIterator, Sequence

import httpcore
import httpx

from adapters.outbound.address_policy import AddressPolicy
from adapters.outbound.guarded_connect import GuardedConnector
from adapters.outbound.host_resolution import Resolver, system_resolver
from adapters.outbound.http11_connection import Http11Connection, StaleConnection
from adapters.outbound.http11_pool import Http11Pool, PoolKey
from adapters.outbound.transport_errors import upstream_errors
from domain.errors import UpstreamUnavailable

__all__ = ["ALLOWED_SCHEMES", "GuardedTransport", "UpstreamAnswer"]

ALLOWED_SCHEMES = frozenset({"http", "https"})
_DEFAULT_PORTS = {"http": 80, "https": 443}
# A request that never reached the server may be sent again on a new connection (RFC 9110 9.2.2).
_IDEMPOTENT = frozenset({"GET", "HEAD", "PUT", "DELETE", "OPTIONS", "TRACE"})
# RFC 9110 5.1 and 5.5: what may appear in a field name, and what never in a value or target.
_TOKEN = re.compile(rb"[-!#$%&'*+.^_`|~0-9A-Za-z]+")
_UNSAFE = re.compile(rb"[\x00\r\n]")


class GuardedTransport(httpx.AsyncBaseTransport):
    """A pooled HTTP/1.1 transport that reaches only addresses the policy allows.

    The pool has no proxy, so proxy environment variables cannot route around the guard.
    Failures surface as `UpstreamUnavailable`; it follows no redirects (see `GuardedHttpClient`).
    A request on a kept-alive connection that the server had closed meanwhile is sent once
    more on a new connection when its method is idempotent.

    Args:
        policy: which addresses may be reached.
        resolver: async `(host, port) -> addresses`; the operating system's by default.
        connect_timeout: seconds for resolving plus connecting (plus the TLS handshake).
        ssl_context: trust store for https; certifi's by default (never the environment's).
        max_connections: pool size across all upstreams.
    """

    def __init__(
        self,
        policy: AddressPolicy,
        *,
        resolver: Resolver | None = None,
        connect_timeout: float = 5.0,
        ssl_context: ssl.SSLContext | None = None,
        max_connections: int = 100,
    ) -> None:
        connector = GuardedConnector(
            policy,
            resolver or system_resolver,
            ssl_context or httpx.create_ssl_context(trust_env=False),
            connect_timeout,
        )
        self._pool = Http11Pool(
            connector,
            max_connections=max_connections,
            max_idle=max_connections // 5 or 1,
            keepalive_expiry=5.0,
        )

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Send one request; refuse non-http(s) schemes and addresses the policy refuses."""
        answer = await self.exchange(
            request.method, request.url, request.headers.raw, await request.aread()
        )
        return httpx.Response(
            status_code=answer.status,
            headers=answer.raw_headers,
            stream=answer,
            extensions={"http_version": b"HTTP/1.1"},
        )

    async def exchange(
        self,
        method: str,
        url: httpx.URL,
        headers: Sequence[tuple[bytes, bytes]],
        body: bytes,
    ) -> UpstreamAnswer:
        """Send one request whose header fields are `headers` as they go on the wire (Host
        and framing included); refuse non-http(s) schemes and addresses the policy refuses.

        The client's own path: the same as `handle_async_request` without building httpx's
        request and response objects around it.
        """
        scheme = url.scheme
        if scheme not in ALLOWED_SCHEMES:
            raise UpstreamUnavailable(
                "Refused: only http and https URLs may be fetched.", reason="blocked_address"
            )
        host = url.host
        key: PoolKey = (scheme, url.raw_host.decode("ascii"), url.port or _DEFAULT_PORTS[scheme])
        with upstream_errors(host):
            head = _request_head(method, url.raw_path, headers)
            for attempt in (1, 2):
                connection, reused = await self._pool.acquire(key)
                try:
                    status, answer_headers = await connection.send(
                        head, body, head_only=method == "HEAD"
                    )
                except StaleConnection:
                    self._pool.discard(connection)
                    if reused and attempt == 1 and method in _IDEMPOTENT:
                        continue
                    raise
                except BaseException:
                    self._pool.discard(connection)
                    raise
                break
        return UpstreamAnswer(status, answer_headers, self._pool, key, connection, host)

    async def aclose(self) -> None:
        """Close every pooled connection."""
        await self._pool.aclose()


def _request_head(method: str, target: bytes, headers: Sequence[tuple[bytes, bytes]]) -> bytes:
    """The request line and header fields, refusing anything that would split the message."""
    verb = method.encode("ascii")
    if not _TOKEN.fullmatch(verb) or b" " in target or _UNSAFE.search(target):
        raise httpcore.LocalProtocolError("Refused to send a malformed request line.")
    parts = [verb, b" ", target, b" HTTP/1.1\r\n"]
    for name, value in headers:
        if not _TOKEN.fullmatch(name) or _UNSAFE.search(value):
            raise httpcore.LocalProtocolError("Refused to send a malformed header field.")
        parts += (name, b": ", value.strip(b" \t"), b"\r\n")
    parts.append(b"\r\n")
    return b"".join(parts)


class UpstreamAnswer(httpx.AsyncByteStream):
    """An answer's status and header fields, and its body off the connection, which goes
    back to the pool when closed (`aclose`)."""

    def __init__(
        self,
        status: int,
        raw_headers: list[tuple[bytes, bytes]],
        pool: Http11Pool,
        key: PoolKey,
        connection: Http11Connection,
        host: str,
    ) -> None:
        self.status = status
        self.raw_headers = raw_headers
        self._headers: httpx.Headers | None = None
        self._pool = pool
        self._key = key
        self._connection: Http11Connection | None = connection
        self._host = host

    @property
    def headers(self) -> httpx.Headers:
        """The header fields as httpx reads them (built when first asked for)."""
        if self._headers is None:
            self._headers = httpx.Headers(self.raw_headers)
        return self._headers

    def aiter_raw(self) -> AsyncIterator[bytes]:
        """The body as it came (content codings not undone)."""
        return self.__aiter__()

    async def __aiter__(self) -> AsyncIterator[bytes]:
        connection = self._connection
        if connection is None:
            return
        with upstream_errors(self._host):
            while (chunk := await connection.next_chunk()) is not None:
                yield chunk

    async def aclose(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            self._pool.release(self._key, connection)

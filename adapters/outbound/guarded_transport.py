"""The httpx transport every request to a user-supplied URL goes through (API.md §8)."""

from __future__ import annotations

import ssl
from collections.abc import AsyncIterable, AsyncIterator

import httpcore
import httpx

from adapters.outbound.address_policy import AddressPolicy
from adapters.outbound.guarded_network_backend import GuardedNetworkBackend
from adapters.outbound.host_resolution import Resolver
from adapters.outbound.transport_errors import upstream_errors
from domain.errors import UpstreamUnavailable

__all__ = ["ALLOWED_SCHEMES", "GuardedTransport"]

ALLOWED_SCHEMES = frozenset({"http", "https"})


class GuardedTransport(httpx.AsyncBaseTransport):
    """A pooled HTTP/1.1 transport that reaches only addresses the policy allows.

    It owns an httpcore pool directly instead of wrapping `httpx.AsyncHTTPTransport`, whose pool
    cannot take a network backend: the guard lives in that backend. The pool has no proxy, so
    proxy environment variables cannot route around the guard. Failures surface as
    `UpstreamUnavailable`; it follows no redirects (see `GuardedHttpClient`).

    Args:
        policy: which addresses may be reached.
        resolver: async `(host, port) -> addresses`; the operating system's by default.
        connect_timeout: seconds for resolving plus connecting (plus the TLS handshake).
        io_timeout: seconds for any single read or write, and for waiting on a pooled connection.
        ssl_context: trust store for https; certifi's by default (never the environment's).
        max_connections: pool size across all upstreams.
    """

    def __init__(
        self,
        policy: AddressPolicy,
        *,
        resolver: Resolver | None = None,
        connect_timeout: float = 5.0,
        io_timeout: float = 30.0,
        ssl_context: ssl.SSLContext | None = None,
        max_connections: int = 100,
    ) -> None:
        self._timeouts = {
            "connect": connect_timeout,
            "read": io_timeout,
            "write": io_timeout,
            "pool": io_timeout,
        }
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=ssl_context or httpx.create_ssl_context(trust_env=False),
            max_connections=max_connections,
            max_keepalive_connections=max_connections // 5 or 1,
            keepalive_expiry=5.0,
            network_backend=GuardedNetworkBackend(policy, resolver),
        )

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Send one request; refuse non-http(s) schemes and addresses the policy refuses."""
        host = request.url.host
        if request.url.scheme not in ALLOWED_SCHEMES:
            raise UpstreamUnavailable(
                "Refused: only http and https URLs may be fetched.", reason="blocked_address"
            )
        assert isinstance(request.stream, httpx.AsyncByteStream)
        core_request = httpcore.Request(
            method=request.method,
            url=httpcore.URL(
                scheme=request.url.raw_scheme,
                host=request.url.raw_host,
                port=request.url.port,
                target=request.url.raw_path,
            ),
            headers=request.headers.raw,
            content=request.stream,
            extensions={"timeout": self._timeouts, **request.extensions},
        )
        with upstream_errors(host):
            core_response = await self._pool.handle_async_request(core_request)
        assert isinstance(core_response.stream, AsyncIterable)
        return httpx.Response(
            status_code=core_response.status,
            headers=core_response.headers,
            stream=_GuardedResponseStream(core_response.stream, host),
            extensions=core_response.extensions,
        )

    async def aclose(self) -> None:
        """Close every pooled connection."""
        await self._pool.aclose()


class _GuardedResponseStream(httpx.AsyncByteStream):
    """The response body, with read failures translated like the rest of the transport's."""

    def __init__(self, stream: AsyncIterable[bytes], host: str) -> None:
        self._stream = stream
        self._host = host

    async def __aiter__(self) -> AsyncIterator[bytes]:
        with upstream_errors(self._host):
            async for chunk in self._stream:
                yield chunk

    async def aclose(self) -> None:
        close = getattr(self._stream, "aclose", None)
        if close is not None:
            await close()

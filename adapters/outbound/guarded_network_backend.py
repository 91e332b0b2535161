"""The httpcore network backend that connects only to addresses the policy allows."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from typing import Any

import httpcore

from adapters.outbound.address_policy import AddressPolicy
from adapters.outbound.host_resolution import (
    Resolver,
    resolve_allowed_addresses,
    system_resolver,
)
from domain.errors import UpstreamUnavailable

__all__ = ["GuardedNetworkBackend"]


class GuardedNetworkBackend(httpcore.AsyncNetworkBackend):
    """Resolves the host once per new connection, checks every address, connects to one of them.

    Guarding here, below the connection pool, rather than by rewriting request URLs to IPs keeps
    the pool keyed by hostname: a connection whose TLS certificate was verified for one name is
    never reused for another name that happens to share the IP. TLS (SNI and the certificate
    check) still uses the URL hostname, since httpcore passes it to `start_tls` itself.

    Args:
        policy: which addresses may be reached.
        resolver: async `(host, port) -> addresses`; the operating system's by default.
    """

    def __init__(self, policy: AddressPolicy, resolver: Resolver | None = None) -> None:
        self._policy = policy
        self._resolver = resolver or system_resolver
        self._inner = httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,  # noqa: ASYNC109 - httpcore's backend signature
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        """Connect to the first reachable checked address of `host` within `timeout` seconds."""
        loop = asyncio.get_running_loop()
        deadline = None if timeout is None else loop.time() + timeout
        try:
            async with asyncio.timeout_at(deadline):
                addresses = await resolve_allowed_addresses(
                    host, port, self._policy, self._resolver
                )
        except TimeoutError as error:
            raise httpcore.ConnectTimeout(f"resolving {host} timed out") from error
        last_error: Exception = httpcore.ConnectError(f"no address of {host} answered")
        for address in addresses:
            remaining = None if deadline is None else max(0.0, deadline - loop.time())
            try:
                return await self._inner.connect_tcp(
                    str(address), port, remaining, local_address, socket_options
                )
            except httpcore.ConnectError as error:  # try the next checked address
                last_error = error
        raise last_error

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,  # noqa: ASYNC109 - httpcore's backend signature
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        """Refuse: a user-supplied URL never reaches a local socket."""
        raise UpstreamUnavailable("Refused to connect to a local socket.", reason="blocked_address")

    async def sleep(self, seconds: float) -> None:
        """Sleep as the wrapped backend does (httpcore uses it between connect retries)."""
        await self._inner.sleep(seconds)

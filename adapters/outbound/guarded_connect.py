"""Opening a connection only to an address the policy allows, with TLS for the URL's host name."""

from __future__ import annotations

import asyncio
import ssl

import httpcore

from adapters.outbound.address_policy import AddressPolicy
from adapters.outbound.host_resolution import Resolver, resolve_allowed_addresses
from adapters.outbound.http11_connection import Http11Connection

__all__ = ["GuardedConnector"]


class GuardedConnector:
    """Resolves the host once per new connection, checks every address, connects to one of them.

    Guarding here, below the pool, rather than by rewriting URLs to IP addresses keeps the pool
    keyed by host name: a connection whose TLS certificate was verified for one name is never
    reused for another name that shares the address. TLS (SNI and the certificate check) uses
    the URL's host name.

    Args:
        policy: which addresses may be reached.
        resolver: async `(host, port) -> addresses`.
        ssl_context: trust store for https.
        connect_timeout: seconds for resolving, connecting and the TLS handshake together.
    """

    def __init__(
        self,
        policy: AddressPolicy,
        resolver: Resolver,
        ssl_context: ssl.SSLContext,
        connect_timeout: float,
    ) -> None:
        self._policy = policy
        self._resolver = resolver
        self._ssl_context = ssl_context
        self._connect_timeout = connect_timeout

    async def __call__(self, scheme: str, host: str, port: int) -> Http11Connection:
        """A new connection to `host`, or UpstreamUnavailable / httpcore.ConnectError."""
        loop = asyncio.get_running_loop()
        tls = self._ssl_context if scheme == "https" else None
        try:
            async with asyncio.timeout(self._connect_timeout):
                addresses = await resolve_allowed_addresses(
                    host, port, self._policy, self._resolver
                )
                last_error: Exception = httpcore.ConnectError(f"no address of {host} answered")
                for address in addresses:  # the first that answers, in the resolver's order
                    try:
                        _, connection = await loop.create_connection(
                            lambda: Http11Connection(loop),
                            str(address),
                            port,
                            ssl=tls,
                            server_hostname=host if tls is not None else None,
                        )
                    except (OSError, ssl.SSLError) as error:
                        last_error = httpcore.ConnectError(f"could not connect to {host}")
                        last_error.__cause__ = error
                    else:
                        return connection
        except TimeoutError as error:
            raise httpcore.ConnectTimeout(f"connecting to {host} timed out") from error
        raise last_error

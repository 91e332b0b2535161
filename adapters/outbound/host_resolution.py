"""Resolve a host once and check every address it has, before anything connects."""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Awaitable, Callable, Sequence

from adapters.outbound.address_policy import AddressPolicy
from adapters.outbound.host_literals import IPAddress, parse_host_literal
from domain.errors import UpstreamUnavailable

__all__ = ["Resolver", "resolve_allowed_addresses", "system_resolver"]

Resolver = Callable[[str, int], Awaitable[Sequence[str]]]
"""Async `(host, port) -> IP address strings`; raises OSError (e.g. socket.gaierror) on failure."""


async def system_resolver(host: str, port: int) -> Sequence[str]:
    """Resolve through the operating system (`getaddrinfo`), like a plain connect would."""
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


async def resolve_allowed_addresses(
    host: str, port: int, policy: AddressPolicy, resolver: Resolver
) -> list[IPAddress]:
    """Return every address of `host`, refusing when the policy refuses any one of them.

    One refused address refuses the host: otherwise a name answering one public and one private
    address would reach the private one whenever the connect falls back to it.

    Raises:
        UpstreamUnavailable: reason `dns` when the host does not resolve, `blocked_address`
            when an address is refused. Messages name the host only.
    """
    literal = parse_host_literal(host)
    addresses = [literal] if literal is not None else await _resolve(host, port, resolver)
    if not all(policy.allows(address) for address in addresses):
        raise UpstreamUnavailable(
            f"Refused to connect to {host}: it is not a public address.",
            reason="blocked_address",
        )
    return addresses


async def _resolve(host: str, port: int, resolver: Resolver) -> list[IPAddress]:
    try:
        answers = await resolver(host, port)
        addresses = [ipaddress.ip_address(answer) for answer in answers]
    except (OSError, ValueError) as error:
        raise UpstreamUnavailable(f"Could not resolve {host}.", reason="dns") from error
    if not addresses:
        raise UpstreamUnavailable(f"Could not resolve {host}.", reason="dns")
    return addresses

"""Which IP addresses the outbound guard lets a user-supplied URL reach (API.md §8)."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

from adapters.outbound.host_literals import IPAddress

__all__ = ["AddressPolicy"]

_Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def _networks(*cidrs: str) -> tuple[_Network, ...]:
    return tuple(ipaddress.ip_network(cidr) for cidr in cidrs)


# Listed explicitly rather than trusting `is_private`/`is_global`, whose meaning changed between
# Python patch releases; the stdlib flags are still consulted as a second net.
_REFUSED_IPV4 = _networks(
    "0.0.0.0/8",  # "this network", includes the unspecified address
    "10.0.0.0/8",
    "100.64.0.0/10",  # carrier-grade NAT (also Alibaba's metadata address)
    "127.0.0.0/8",
    "169.254.0.0/16",  # link-local, cloud metadata
    "172.16.0.0/12",
    "192.0.0.0/24",  # IETF protocol assignments
    "192.0.2.0/24",  # documentation
    "192.88.99.0/24",  # 6to4 relay anycast
    "192.168.0.0/16",
    "198.18.0.0/15",  # benchmarking
    "198.51.100.0/24",  # documentation
    "203.0.113.0/24",  # documentation
    "224.0.0.0/4",  # multicast
    "240.0.0.0/4",  # reserved, includes broadcast
)
_REFUSED_IPV6 = _networks(
    "::/96",  # unspecified, loopback and the deprecated IPv4-compatible form
    "100::/64",  # discard
    "64:ff9b:1::/48",  # local-use NAT64: the embedding is network-specific, so uncheckable
    "2001::/23",  # IETF protocol assignments, includes Teredo 2001::/32 and benchmarking
    "2001:db8::/32",  # documentation
    "2002::/16",  # 6to4 tunnels to any IPv4 address
    "3fff::/20",  # documentation
    "5f00::/16",  # SRv6 SIDs
    "fc00::/7",  # unique local, includes fd00:ec2::254 (AWS metadata)
    "fe80::/10",  # link-local
    "fec0::/10",  # deprecated site-local
    "ff00::/8",  # multicast
)
# Forms whose last 32 bits are the IPv4 address actually reached: judged as that address.
_EMBEDDING_IPV4 = _networks("::ffff:0:0/96", "::ffff:0:0:0/96", "64:ff9b::/96")
# Never a legitimate upstream, so refused even when an allow-listed range covers them.
_CLOUD_METADATA = frozenset(
    ipaddress.ip_address(address)
    for address in ("169.254.169.254", "169.254.170.2", "100.100.100.200", "fd00:ec2::254")
)


class AddressPolicy:
    """Refuses non-public addresses unless the operator allow-lists their range.

    Args:
        allow_cidrs: CIDRs let through even though they are not public (tests: 127.0.0.0/8).
    """

    def __init__(self, allow_cidrs: Iterable[str] = ()) -> None:
        self._allowed = tuple(
            ipaddress.ip_network(cidr.strip(), strict=False) for cidr in allow_cidrs
        )

    @classmethod
    def from_setting(cls, setting: str | None) -> AddressPolicy:
        """Build from SPECMCP_OUTBOUND_ALLOW_CIDRS: comma-separated CIDRs, empty for none."""
        cidrs = [part for part in (setting or "").split(",") if part.strip()]
        return cls(cidrs)

    def allows(self, address: IPAddress) -> bool:
        """Tell whether a connection to `address` may be made."""
        address = _reached_address(address)
        if address in _CLOUD_METADATA:
            return False
        if any(address in network for network in self._allowed):
            return True
        return not _is_refused_range(address)


def _reached_address(address: IPAddress) -> IPAddress:
    """The address a packet to `address` really reaches (its embedded IPv4, when it has one)."""
    if isinstance(address, ipaddress.IPv6Address):
        address = address if address.scope_id is None else ipaddress.IPv6Address(address.packed)
        if any(address in network for network in _EMBEDDING_IPV4):
            return ipaddress.IPv4Address(address.packed[-4:])
    return address


def _is_refused_range(address: IPAddress) -> bool:
    refused = _REFUSED_IPV4 if isinstance(address, ipaddress.IPv4Address) else _REFUSED_IPV6
    return (
        any(address in network for network in refused)
        or address.is_loopback
        or address.is_private
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
    )

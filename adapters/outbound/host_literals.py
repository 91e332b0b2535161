"""Read a URL host the way resolvers do: every spelling of an IP address becomes that address."""

from __future__ import annotations

import ipaddress
import socket

__all__ = ["IPAddress", "parse_host_literal"]

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


def parse_host_literal(host: str) -> IPAddress | None:
    """Return the IP address a host spells, or None when the host is a name to resolve.

    Besides the usual forms this accepts everything `inet_aton` does (`2130706433`, `0x7f.1`,
    `0177.0.0.1`, `127.1`), because the system resolver treats those as addresses: a guard that
    read them as names would check something other than what the connection reaches.

    Args:
        host: a URL host, with or without IPv6 brackets.
    """
    bare = host.strip("[]")
    try:
        return ipaddress.ip_address(bare)
    except ValueError:
        pass
    if not bare.isascii() or any(char.isspace() for char in bare):
        # glibc's inet_aton stops at whitespace and ignores the rest; a URL host never holds it.
        return None
    try:
        packed = socket.inet_aton(bare)
    except OSError:
        return None
    return ipaddress.IPv4Address(packed)

"""Write-time check of a URL the guard will later be asked to reach (e.g. a server's baseUrl)."""

from __future__ import annotations

import httpx

from adapters.outbound.address_policy import AddressPolicy
from adapters.outbound.guarded_transport import ALLOWED_SCHEMES
from adapters.outbound.host_resolution import (
    Resolver,
    resolve_allowed_addresses,
    system_resolver,
)

__all__ = ["check_url_allowed"]


async def check_url_allowed(
    url: str, policy: AddressPolicy, resolver: Resolver | None = None
) -> None:
    """Refuse a URL the outbound guard would refuse, so the caller can answer 400 at once.

    The answer can only be provisional for host names: DNS may change before the request, and
    the guard checks again then.

    Raises:
        ValueError: not an absolute http(s) URL with a host (a malformed field).
        UpstreamUnavailable: reason `blocked_address` when the host is or resolves to a
            refused address; reason `dns` when it does not resolve (the caller may accept that).
    """
    try:
        parsed = httpx.URL(url)
    except httpx.InvalidURL as error:
        raise ValueError("not a valid URL") from error
    if parsed.scheme not in ALLOWED_SCHEMES:
        raise ValueError("only http and https URLs are allowed")
    if not parsed.host:
        raise ValueError("the URL has no host")
    port = parsed.port or (443 if parsed.scheme == "https" else 80)
    await resolve_allowed_addresses(parsed.host, port, policy, resolver or system_resolver)

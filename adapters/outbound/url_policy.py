"""Base URL policies: the guard's own rules, and an allow-all one for local tools and tests."""

from __future__ import annotations

from collections.abc import Sequence

from adapters.outbound.address_policy import AddressPolicy
from adapters.outbound.host_resolution import Resolver
from adapters.outbound.url_check import check_url_allowed
from domain.errors import UpstreamUnavailable

__all__ = ["AllowAllBaseUrlPolicy", "GuardedBaseUrlPolicy"]


class GuardedBaseUrlPolicy:
    """Refuses what the outbound guard would refuse; a host that does not resolve passes."""

    def __init__(self, allow_cidrs: Sequence[str], resolver: Resolver | None = None) -> None:
        self._policy = AddressPolicy(allow_cidrs)
        self._resolver = resolver

    async def check(self, url: str) -> None:
        try:
            await check_url_allowed(url, self._policy, self._resolver)
        except ValueError as exc:
            raise UpstreamUnavailable(str(exc), reason="blocked_address") from None
        except UpstreamUnavailable as exc:
            if exc.reason != "dns":
                raise


class AllowAllBaseUrlPolicy:
    """Accepts every URL (the guard still checks each call)."""

    async def check(self, url: str) -> None:
        return None

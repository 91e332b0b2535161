"""RateLimiter: fixed-window counters shared as widely as the adapter's store."""

from __future__ import annotations

from typing import Protocol

import msgspec

__all__ = ["RateLimitDecision", "RateLimiter"]


class RateLimitDecision(msgspec.Struct, frozen=True):
    """The outcome of one hit: allowed or not, and the figures for RateLimit-* headers."""

    allowed: bool
    limit: int
    remaining: int
    reset_seconds: int


class RateLimiter(Protocol):
    """Counts hits per key in windows of `window_seconds`; refuses past `limit`."""

    async def hit(self, key: str, limit: int, window_seconds: int) -> RateLimitDecision: ...

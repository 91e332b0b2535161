"""Fixed-window rate limiter on Redis: counters shared by every process and instance."""

from __future__ import annotations

import math
import time

import redis.asyncio as redis_asyncio

from application.ports.ratelimit import RateLimitDecision

__all__ = ["RedisRateLimiter"]

# Count and read the window's time to live in one round trip, atomically; refused hits are
# not counted, so a client hammering a closed window cannot push its reset further away.
_HIT = """
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
if current >= tonumber(ARGV[1]) then
  return {current, redis.call('PTTL', KEYS[1]), 0}
end
current = redis.call('INCR', KEYS[1])
if current == 1 then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return {current, redis.call('PTTL', KEYS[1]), 1}
"""


class RedisRateLimiter:
    """Windows aligned on multiples of the window length, keyed by window number."""

    def __init__(self, client: redis_asyncio.Redis, prefix: str = "specmcp:rl:") -> None:
        self._client = client
        self._prefix = prefix
        self._script = client.register_script(_HIT)

    @classmethod
    def from_url(cls, url: str) -> RedisRateLimiter:
        """A limiter on a new connection pool to `url`."""
        return cls(redis_asyncio.Redis.from_url(url))

    async def hit(self, key: str, limit: int, window_seconds: int) -> RateLimitDecision:
        now = time.time()
        window = int(now // window_seconds)
        ttl_ms = max(1, math.ceil(((window + 1) * window_seconds - now) * 1000))
        count, pttl, allowed = await self._script(
            keys=[f"{self._prefix}{key}:{window_seconds}:{window}"], args=[limit, ttl_ms]
        )
        reset = max(1, math.ceil((int(pttl) if int(pttl) > 0 else ttl_ms) / 1000))
        return RateLimitDecision(bool(allowed), limit, max(0, limit - int(count)), reset)

    async def ping(self) -> bool:
        """Does Redis answer? (for /ready)."""
        return bool(await self._client.ping())

    async def aclose(self) -> None:
        await self._client.aclose()

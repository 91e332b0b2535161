"""In-process fixed-window rate limiter (one process; Redis shares counters across them)."""

from __future__ import annotations

import math
import time
from collections.abc import Callable

from application.ports.ratelimit import RateLimitDecision

__all__ = ["MemoryRateLimiter"]


class MemoryRateLimiter:
    """Fixed windows aligned on multiples of the window length.

    Counting is synchronous (no await between read and write), so it is atomic under asyncio.
    """

    def __init__(self, monotonic: Callable[[], float] = time.time, max_keys: int = 100_000):
        self._now = monotonic
        self._windows: dict[str, tuple[int, int]] = {}
        self._max_keys = max_keys

    async def hit(self, key: str, limit: int, window_seconds: int) -> RateLimitDecision:
        now = self._now()
        window = int(now // window_seconds)
        reset = max(1, math.ceil((window + 1) * window_seconds - now))
        start, count = self._windows.get(key, (window, 0))
        if start != window:
            count = 0
        if count >= limit:
            self._windows[key] = (window, count)
            return RateLimitDecision(False, limit, 0, reset)
        count += 1
        if len(self._windows) >= self._max_keys and key not in self._windows:
            self._evict(window)
        self._windows[key] = (window, count)
        return RateLimitDecision(True, limit, limit - count, reset)

    def _evict(self, current_window: int) -> None:
        # Keeps memory bounded: windows that ended can never refuse anything again.
        stale = [k for k, (w, _) in self._windows.items() if w != current_window]
        for k in stale:
            del self._windows[k]

"""Waiting for a condition over a few event-loop steps (tests of the coalescing machinery)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

__all__ = ["until"]


async def until(condition: Callable[[], bool], steps: int = 50) -> None:
    """Let the loop run until `condition()` holds; fail after `steps` steps."""
    for _ in range(steps):
        if condition():
            return
        await asyncio.sleep(0)
    raise AssertionError("condition not reached")

"""Jobs that run beside the service for as long as the app lives (inside its lifespan)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

from entrypoints.container import Container

__all__ = ["PURGE_INTERVAL_SECONDS", "background_jobs"]

log = logging.getLogger("specmcp.jobs")

PURGE_INTERVAL_SECONDS = 3600.0
"""Retention is in days; listings hide expired rows anyway, so hourly purges are plenty."""


async def _every(seconds: float, job: Callable[[], Awaitable[int]], name: str) -> None:
    while True:
        try:
            done = await job()
            if done:
                log.info("%s: %d rows", name, done)
        except Exception:
            log.exception("%s failed; next attempt in %.0f s", name, seconds)
        await asyncio.sleep(seconds)


@asynccontextmanager
async def background_jobs(
    container: Container, purge_every: float = PURGE_INTERVAL_SECONDS
) -> AsyncIterator[None]:
    """The log retention purge, and on the way out the last request log rows written."""
    purge = asyncio.create_task(
        _every(purge_every, container.purge_expired_logs(), "log retention purge")
    )
    try:
        yield
    finally:
        purge.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await purge
        # After the server stopped taking requests: every row recorded is written now.
        await container.log_sink().aclose()

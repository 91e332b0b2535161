"""Gauges sampled while the app lives (the log writer's backlog), once a second."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from entrypoints.container import Container

__all__ = ["metrics_sampler"]


async def _sample(container: Container, seconds: float) -> None:
    metrics, sink = container.metrics(), container.log_sink()
    while True:
        metrics.log_backlog(sink.backlog)
        await asyncio.sleep(seconds)


@asynccontextmanager
async def metrics_sampler(container: Container, seconds: float = 1.0) -> AsyncIterator[None]:
    """Keeps the sampled gauges fresh (each worker writes its own in multiprocess mode)."""
    task = asyncio.create_task(_sample(container, seconds))
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

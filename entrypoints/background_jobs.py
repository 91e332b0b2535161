"""Jobs that run beside the service for as long as the app lives (inside its lifespan)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from entrypoints.container import Container
from entrypoints.periodic_jobs import run_periodically

__all__ = ["background_jobs"]


@asynccontextmanager
async def background_jobs(container: Container) -> AsyncIterator[None]:
    """The log retention purge (once per `purge_job_seconds` across instances), and on the way
    out the last request log rows written."""
    # Retention is in days; listings hide expired rows anyway, so hourly purges are plenty.
    purge = asyncio.create_task(
        run_periodically(
            "log_retention_purge",
            container.settings().purge_job_seconds,
            container.purge_expired_logs(),
            container.job_lease(),
            container.metrics().job_run,
        )
    )
    try:
        yield
    finally:
        purge.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await purge
        # The billing job (left before this one) is done with the lease too.
        await container.job_lease().aclose()
        # After the server stopped taking requests: every row recorded is written now.
        await container.log_sink().aclose()

"""The billing job of `specmcp serve`: queue new overage, deliver the billing outbox.

Ticks in every process and runs once per period across them (periodic_jobs: a JobLease claim
per period). Were it to run twice, that would still be safe: queueing happens in one
transaction per pass with the reported figure, and every delivery carries its idempotency key,
so two processes delivering the same message have one effect at the provider.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from adapters.persistence.memory.unit_of_work import MemoryUnitOfWorkFactory
from entrypoints.container import Container
from entrypoints.periodic_jobs import run_periodically

__all__ = ["billing_jobs", "run_billing_pass"]

log = logging.getLogger("specmcp.jobs")


async def run_billing_pass(container: Container) -> tuple[int, int]:
    """One pass: (messages queued, messages delivered)."""
    queued = await container.report_overage()()
    delivered = await container.deliver_billing_outbox()()
    return queued, delivered


async def _loop(container: Container, seconds: float) -> None:
    async def billing_pass() -> tuple[int, int]:
        return await run_billing_pass(container)

    metrics = container.metrics()
    await run_periodically("billing", seconds, billing_pass, container.job_lease(), metrics.job_run)


def _link_memory_usage(container: Container) -> None:
    # The memory usage meter keeps its counters beside the memory tables, not in them; the
    # overage ledger reads them through this view.
    uow = container.uow()
    if not isinstance(uow, MemoryUnitOfWorkFactory):
        return
    meter = container.usage_meter()
    counts = getattr(meter, "_counts", {})
    uow.usage_calls = lambda: {key: value.calls for key, value in counts.items()}


@asynccontextmanager
async def billing_jobs(container: Container) -> AsyncIterator[None]:
    """Runs the billing pass every `billing_job_seconds` while the app lives."""
    _link_memory_usage(container)
    task = asyncio.create_task(_loop(container, container.settings().billing_job_seconds))
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

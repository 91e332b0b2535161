"""Periodic jobs that run once per period across every process and instance.

Time is cut into slots of `seconds` (slot = epoch seconds // period, the same in every
process); each process wakes at every slot boundary and asks the JobLease for the slot; the one
whose claim succeeds runs the job. So N instances run a job N times less often than N
independent loops would, and a job never runs twice at once.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from application.ports.job_lease import JobLease

__all__ = ["run_periodically"]

log = logging.getLogger("specmcp.jobs")


async def run_periodically(
    name: str,
    seconds: float,
    job: Callable[[], Awaitable[Any]],
    lease: JobLease,
    on_run: Callable[[str], None] | None = None,
) -> None:
    """Run `job` in every slot this process claims, until cancelled; failures are logged."""
    while True:
        slot = int(time.time() // seconds)
        try:
            if await lease.claim(name, slot):
                if on_run is not None:
                    on_run(name)
                done = await job()
                log.info("%s ran", name, extra={"job": name, "slot": slot, "result": done})
        except Exception:
            log.exception("%s failed; next attempt in the next period", name)
        await asyncio.sleep(max(0.0, (slot + 1) * seconds - time.time()))

"""JobLease: one run of a periodic job per period, across every process sharing the store."""

from __future__ import annotations

from typing import Protocol

__all__ = ["JobLease"]


class JobLease(Protocol):
    """Claims `(job, slot)`; a slot is the period number (`int(epoch_seconds // period)`).

    At most one claim of a given job and slot succeeds among all processes sharing the
    adapter's store, so a job ticking in every instance runs once per period. A slot earlier
    than one already claimed is refused too. The claim is the whole protocol: a run that
    fails is not retried in the same slot.
    """

    async def claim(self, job: str, slot: int) -> bool: ...

    async def aclose(self) -> None: ...

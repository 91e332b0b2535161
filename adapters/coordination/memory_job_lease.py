"""MemoryJobLease: one process is the whole world (memory persistence, tests)."""

from __future__ import annotations

__all__ = ["MemoryJobLease"]


class MemoryJobLease:
    """Remembers the newest slot claimed per job."""

    def __init__(self) -> None:
        self._claimed: dict[str, int] = {}

    async def claim(self, job: str, slot: int) -> bool:
        if self._claimed.get(job, -1) >= slot:
            return False
        self._claimed[job] = slot
        return True

    async def aclose(self) -> None:
        return None

"""FileJobLease: the processes of one host sharing an embedded SQLite database.

The newest claimed slot per job is kept in a small JSON file beside the database, read and
written under an exclusive `flock`, so the workers of `specmcp serve --workers N` on SQLite
run each job once per period. POSIX only (`fcntl`), like the multi-worker mode itself.
"""

from __future__ import annotations

import asyncio
import fcntl
import json
import os
from pathlib import Path

__all__ = ["FileJobLease"]


class FileJobLease:
    """Claims recorded in `path` (created on first use)."""

    def __init__(self, path: Path) -> None:
        self._path = path

    async def claim(self, job: str, slot: int) -> bool:
        return await asyncio.to_thread(self._claim, job, slot)

    def _claim(self, job: str, slot: int) -> bool:
        fd = os.open(self._path, os.O_RDWR | os.O_CREAT, 0o600)
        with os.fdopen(fd, "r+", encoding="utf-8") as file:
            fcntl.flock(file, fcntl.LOCK_EX)  # released when the file closes
            raw = file.read()
            claimed: dict[str, int] = json.loads(raw) if raw.strip() else {}
            if claimed.get(job, -1) >= slot:
                return False
            claimed[job] = slot
            file.seek(0)
            file.truncate()
            file.write(json.dumps(claimed, sort_keys=True))
            file.flush()
            return True

    async def aclose(self) -> None:
        return None

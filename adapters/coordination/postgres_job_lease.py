"""PostgresJobLease: session advisory locks on `(job, slot)`, held until the next slot.

A claim takes `pg_try_advisory_lock(job_key, slot)` on a connection kept for that purpose
and keeps it until this process tries a slot two periods newer, so every other instance
trying that slot meanwhile (even late) is refused: one run per period, with no table and no
clean-up. If the holder dies (or PostgreSQL restarts), its locks go with its session; another
instance may then claim the slot again, which only repeats an idempotent job. Session locks
need a real session: behind PgBouncer in transaction mode, point DATABASE_URL at PostgreSQL.
"""

from __future__ import annotations

import asyncio
import zlib

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

__all__ = ["PostgresJobLease"]

_INT4 = 2**31


def _job_key(job: str) -> int:
    # Advisory lock keys are two int4; the job name's CRC, signed.
    return zlib.crc32(f"specmcp:{job}".encode()) - _INT4


class PostgresJobLease:
    """One dedicated connection per process; claims are serialised on it."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._connection: AsyncConnection | None = None
        self._held: dict[str, int] = {}  # the newest slot claimed, per job
        self._older: dict[str, list[int]] = {}  # slots whose locks this session holds
        self._lock = asyncio.Lock()

    async def claim(self, job: str, slot: int) -> bool:
        async with self._lock:
            if self._held.get(job, -1) >= slot:
                return False  # ours already; a session lock would be granted again
            try:
                return await self._try(job, slot)
            except BaseException:
                await self._drop()
                raise

    async def _try(self, job: str, slot: int) -> bool:
        if self._connection is None:
            self._connection = await self._engine.connect()
        connection = self._connection
        key = {"job": _job_key(job), "slot": slot % _INT4}
        got = (
            await connection.execute(text("SELECT pg_try_advisory_lock(:job, :slot)"), key)
        ).scalar_one()
        for old in [s for s in self._older.get(job, []) if s < slot - 1]:
            # Kept one period longer than needed: a late claimer of the last period still loses.
            released = {"job": key["job"], "slot": old % _INT4}
            await connection.execute(text("SELECT pg_advisory_unlock(:job, :slot)"), released)
            self._older[job].remove(old)
        await connection.commit()
        if got:
            self._held[job] = slot
            self._older.setdefault(job, []).append(slot)
        return bool(got)

    async def _drop(self) -> None:
        # The session's locks must never ride back into the pool: discard the connection.
        connection, self._connection = self._connection, None
        self._held.clear()
        self._older.clear()
        if connection is not None:
            try:
                await connection.invalidate()
                await connection.close()
            except Exception:  # noqa: S110 - a broken connection is being thrown away
                pass

    async def aclose(self) -> None:
        """Release every lock (by ending the session) and give the connection back."""
        async with self._lock:
            await self._drop()

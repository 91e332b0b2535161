"""SqlHealthProbe: does the database answer?"""

from __future__ import annotations

import asyncio

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

__all__ = ["SqlHealthProbe"]


class SqlHealthProbe:
    """Runs `SELECT 1` with a short time limit."""

    def __init__(self, engine: AsyncEngine, timeout_seconds: float = 2.0) -> None:
        self._engine = engine
        self._timeout = timeout_seconds

    async def check(self) -> str:
        """ "ok", or a short reason (never a connection string)."""
        try:
            async with asyncio.timeout(self._timeout):
                async with self._engine.connect() as conn:
                    await conn.execute(sa.text("SELECT 1"))
        except TimeoutError:
            return "timeout"
        except Exception as exc:
            return f"unavailable ({type(exc).__name__})"
        return "ok"

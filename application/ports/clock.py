"""Clock and IdGenerator: time and identity come from outside the domain."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

__all__ = ["Clock", "IdGenerator"]


class Clock(Protocol):
    """Tells the time (always aware UTC)."""

    def now(self) -> datetime: ...


class IdGenerator(Protocol):
    """Makes new resource ids (UUID strings)."""

    def new_id(self) -> str: ...

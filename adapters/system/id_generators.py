"""Id generators: random UUIDs, and a predictable sequence for tests."""

from __future__ import annotations

import uuid

__all__ = ["SequentialIdGenerator", "Uuid4Generator"]


class Uuid4Generator:
    """Random version-4 UUIDs (122 random bits)."""

    def new_id(self) -> str:
        return str(uuid.uuid4())


class SequentialIdGenerator:
    """UUID-shaped ids counting up from 1, for readable test output."""

    def __init__(self) -> None:
        self._next = 0

    def new_id(self) -> str:
        self._next += 1
        return str(uuid.UUID(int=self._next))

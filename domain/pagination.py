"""Page-numbered lists."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Generic, TypeVar

import msgspec

__all__ = ["Page", "PageRequest"]

T = TypeVar("T")


class PageRequest(msgspec.Struct, frozen=True):
    """Which page of a list: `page` from 1, `limit` 1..100."""

    page: int = 1
    limit: int = 20

    def __post_init__(self) -> None:
        if self.page < 1:
            raise ValueError("page starts at 1")
        if not 1 <= self.limit <= 100:
            raise ValueError("limit is 1..100")

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.limit


class Page(msgspec.Struct, Generic[T], frozen=True):
    """One page of items and the total across all pages."""

    items: Sequence[T]
    total: int
    page: int
    limit: int

    @property
    def has_more(self) -> bool:
        return self.page * self.limit < self.total

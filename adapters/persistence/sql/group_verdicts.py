"""Handing a shared admission statement's outcome to the calls that waited for it (the
coalescer's groups, the step groups, the batches of many users)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Sequence
from typing import Any

import msgspec

from application.ports.metering import Admission

__all__ = ["fail_waiters", "hand_out"]


def hand_out(
    members: Sequence[asyncio.Future[Admission | None]], counted: Admission | None
) -> None:
    """k calls counted together: each its own number (C - k + 1, ..., C in arrival order, C
    the count after them), or None for all when they were not counted. Members no longer
    waiting (cancelled) are skipped."""
    first = 0 if counted is None else counted.calls - len(members) + 1
    for number, waiter in enumerate(members, start=first):
        if not waiter.done():
            waiter.set_result(
                None if counted is None else msgspec.structs.replace(counted, calls=number)
            )


def fail_waiters(waiters: Iterable[asyncio.Future[Any]], error: BaseException) -> None:
    """A shared statement failed: each waiter still waiting gets its error (cancelled if the
    statement was)."""
    for waiter in waiters:
        if waiter.done():
            continue
        if isinstance(error, asyncio.CancelledError):
            waiter.cancel()
        else:
            waiter.set_exception(error)

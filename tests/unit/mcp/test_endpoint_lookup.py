"""CoalescedLookup: every caller gets a lookup that started after it arrived; concurrent callers
share one; a lone caller looks up in its own task; cancellation and errors stay contained."""

from __future__ import annotations

import asyncio

import pytest

from entrypoints.mcp.endpoint_lookup import CoalescedLookup


class Row:
    """A lookup that numbers its runs and can be held open."""

    def __init__(self) -> None:
        self.runs = 0
        self.tasks: list[asyncio.Task[object] | None] = []
        self.release = asyncio.Event()
        self.release.set()
        self.fail = False

    async def __call__(self, key: str) -> str:
        self.runs += 1
        number = self.runs
        self.tasks.append(asyncio.current_task())
        await self.release.wait()
        if self.fail:
            raise RuntimeError(f"lookup {number} failed")
        return f"{key}#{number}"


async def _settle() -> None:
    for _ in range(5):
        await asyncio.sleep(0)


async def test_a_lone_caller_looks_up_in_its_own_task() -> None:
    row = Row()
    lookup = CoalescedLookup(row)
    assert await lookup("ep") == "ep#1"
    assert await lookup("ep") == "ep#2"  # never an answer read before it arrived
    assert row.tasks == [asyncio.current_task()] * 2


async def test_callers_arriving_during_a_lookup_share_the_next_one() -> None:
    row = Row()
    row.release.clear()
    lookup = CoalescedLookup(row)
    first = asyncio.create_task(lookup("ep"))
    await _settle()
    later = [asyncio.create_task(lookup("ep")) for _ in range(3)]
    await _settle()
    assert row.runs == 1  # the later ones wait for a lookup that starts after them
    row.release.set()
    assert await first == "ep#1"
    assert await asyncio.gather(*later) == ["ep#2"] * 3
    assert row.runs == 2
    other = await lookup("other")  # keys do not share
    assert other == "other#3"


async def test_a_cancelled_first_caller_does_not_strand_the_queued_ones() -> None:
    row = Row()
    row.release.clear()
    lookup = CoalescedLookup(row)
    first = asyncio.create_task(lookup("ep"))
    await _settle()
    queued = [asyncio.create_task(lookup("ep")) for _ in range(2)]
    await _settle()
    first.cancel()
    await _settle()
    row.release.set()
    with pytest.raises(asyncio.CancelledError):
        await first
    assert await asyncio.gather(*queued) == ["ep#2", "ep#2"]


async def test_a_cancelled_sharer_does_not_cancel_the_lookup_for_the_others() -> None:
    row = Row()
    lookup = CoalescedLookup(row)
    row.release.clear()
    first = asyncio.create_task(lookup("ep"))
    await _settle()
    leaving, staying = asyncio.create_task(lookup("ep")), asyncio.create_task(lookup("ep"))
    await _settle()
    first.cancel()  # the shared lookup starts, and is held open
    await _settle()
    assert row.runs == 2
    leaving.cancel()
    await _settle()
    row.release.set()
    assert await staying == "ep#2"
    with pytest.raises(asyncio.CancelledError):
        await leaving


async def test_an_error_reaches_every_caller_that_shared_the_lookup() -> None:
    row = Row()
    row.release.clear()
    row.fail = True
    lookup = CoalescedLookup(row)
    first = asyncio.create_task(lookup("ep"))
    await _settle()
    sharers = [asyncio.create_task(lookup("ep")) for _ in range(2)]
    await _settle()
    row.release.set()
    results = await asyncio.gather(first, *sharers, return_exceptions=True)
    assert [str(r) for r in results] == ["lookup 1 failed", "lookup 2 failed", "lookup 2 failed"]
    row.fail = False
    assert await lookup("ep") == "ep#3"

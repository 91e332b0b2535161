"""TurnQueue: waiters are woken one at a time, in order, and no turn is lost to a cancellation."""

from __future__ import annotations

import asyncio

from adapters.turn_queue import TurnQueue


async def _settle() -> None:
    for _ in range(3):
        await asyncio.sleep(0)


async def test_turns_go_first_come_first_served() -> None:
    queue = TurnQueue()
    order: list[int] = []

    async def wait(n: int) -> None:
        await queue.wait_turn()
        order.append(n)

    waiters = [asyncio.create_task(wait(n)) for n in range(3)]
    await _settle()
    for _ in range(3):
        queue.wake_one()
        await _settle()
    await asyncio.gather(*waiters)
    assert order == [0, 1, 2] and len(queue) == 0


async def test_a_waiter_cancelled_before_its_turn_leaves_the_queue() -> None:
    queue = TurnQueue()
    first, second = asyncio.create_task(queue.wait_turn()), asyncio.create_task(queue.wait_turn())
    await _settle()
    first.cancel()
    await _settle()
    assert len(queue) == 1
    queue.wake_one()
    await asyncio.wait_for(second, 1)


async def test_a_waiter_cancelled_after_its_turn_came_passes_it_on() -> None:
    queue = TurnQueue()
    first, second = asyncio.create_task(queue.wait_turn()), asyncio.create_task(queue.wait_turn())
    await _settle()
    queue.wake_one()  # the turn is the first's...
    first.cancel()  # ...which goes away before it could use it
    await _settle()
    assert first.cancelled()
    await asyncio.wait_for(second, 1)  # woken by the turn passed on, not by another wake_one

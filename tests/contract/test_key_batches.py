"""KeyBatches: the counts of many users go to the database together, one batch in flight at a
time; counts asked for while one flies go with the next; a key appears once per batch; a count
cancelled before its batch is sent is left out; errors reach every count of the batch. The
store is a fake here (the SQL meter's tests run the batches on PostgreSQL)."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import pytest

from adapters.persistence.sql.key_batches import KeyBatches
from application.ports.metering import Admission
from tests.support.loop_steps import until


class FakeStore:
    """Counts each key's k calls all or none under `limit`; each batch waits for `release`
    when `hold` is set."""

    def __init__(self, limit: int | None = None, *, hold: bool = False) -> None:
        self.limit = limit
        self.calls: dict[tuple[str, str], int] = {}
        self.batches: list[list[tuple[str, str, int]]] = []
        self.hold = hold
        self.release = asyncio.Event()
        self.fail: Exception | None = None

    async def count_many(self, counts: Sequence[tuple[str, str, int]]) -> list[Admission | None]:
        self.batches.append(list(counts))
        if self.hold:
            await self.release.wait()
            self.release.clear()
        if self.fail is not None:
            raise self.fail
        verdicts: list[Admission | None] = []
        for user, period, k in counts:
            calls = self.calls.get((user, period), 0)
            if self.limit is not None and calls + k > self.limit:
                verdicts.append(None)
                continue
            self.calls[user, period] = calls + k
            verdicts.append(Admission(allowed=True, calls=calls + k, limit=None, plan="pro"))
        return verdicts


async def test_the_counts_of_one_step_go_in_one_batch() -> None:
    store = FakeStore()
    batches = KeyBatches(store.count_many)

    verdicts = await asyncio.gather(
        batches.count("u1", "2026-03", 3), batches.count("u2", "2026-03", 1)
    )

    assert store.batches == [[("u1", "2026-03", 3), ("u2", "2026-03", 1)]]
    assert [v.calls for v in verdicts if v is not None] == [3, 1]


async def test_counts_asked_for_while_a_batch_flies_go_together_in_the_next() -> None:
    store = FakeStore(hold=True)
    batches = KeyBatches(store.count_many)

    first = asyncio.create_task(batches.count("u1", "2026-03", 1))
    await until(lambda: len(store.batches) == 1)
    later = [asyncio.create_task(batches.count(f"u{i}", "2026-03", 1)) for i in range(2, 6)]
    for _ in range(5):
        await asyncio.sleep(0)
    assert len(store.batches) == 1  # they wait for the batch in flight
    store.release.set()
    await until(lambda: len(store.batches) == 2)
    store.release.set()
    await asyncio.gather(first, *later)

    assert [len(batch) for batch in store.batches] == [1, 4]


async def test_a_key_asked_for_twice_goes_once_per_batch() -> None:
    store = FakeStore()
    batches = KeyBatches(store.count_many)

    verdicts = await asyncio.gather(
        batches.count("u1", "2026-03", 2), batches.count("u1", "2026-03", 1)
    )

    assert store.batches == [[("u1", "2026-03", 2)], [("u1", "2026-03", 1)]]
    assert [v.calls for v in verdicts if v is not None] == [2, 3]


async def test_a_key_that_does_not_fit_gets_none_and_the_others_their_counts() -> None:
    store = FakeStore(limit=2)
    batches = KeyBatches(store.count_many)

    verdicts = await asyncio.gather(
        batches.count("u1", "2026-03", 3), batches.count("u2", "2026-03", 2)
    )

    assert verdicts[0] is None
    assert verdicts[1] is not None and verdicts[1].calls == 2


async def test_a_count_cancelled_before_its_batch_is_sent_is_left_out() -> None:
    store = FakeStore()
    batches = KeyBatches(store.count_many)

    asks = [asyncio.create_task(batches.count(f"u{i}", "2026-03", 1)) for i in range(3)]
    await asyncio.sleep(0)
    asks[1].cancel()
    done = await asyncio.gather(*asks, return_exceptions=True)

    assert isinstance(done[1], asyncio.CancelledError)
    assert store.batches == [[("u0", "2026-03", 1), ("u2", "2026-03", 1)]]


async def test_a_failed_batch_fails_each_count_and_the_next_batch_still_goes() -> None:
    store = FakeStore()
    batches = KeyBatches(store.count_many)
    store.fail = ConnectionResetError("down")

    failed = await asyncio.gather(
        batches.count("u1", "2026-03", 1), batches.count("u2", "2026-03", 1), return_exceptions=True
    )
    store.fail = None
    later = await batches.count("u1", "2026-03", 1)

    assert all(isinstance(error, ConnectionResetError) for error in failed)
    assert later is not None and later.calls == 1


async def test_an_error_of_one_keys_own_statement_fails_that_key_only() -> None:
    async def count_many(counts: Sequence[tuple[str, str, int]]) -> list[object]:
        return [
            ConnectionResetError("down")
            if user == "u2"
            else Admission(allowed=True, calls=k, limit=None, plan="pro")
            for user, _period, k in counts
        ]

    batches = KeyBatches(count_many)  # type: ignore[arg-type]

    done = await asyncio.gather(
        batches.count("u1", "2026-03", 2), batches.count("u2", "2026-03", 1), return_exceptions=True
    )

    assert isinstance(done[0], Admission) and done[0].calls == 2
    assert isinstance(done[1], ConnectionResetError)


@pytest.mark.parametrize("users", [1, 7, 40])
async def test_many_concurrent_counts_are_each_counted_once(users: int) -> None:
    store = FakeStore()

    async def slow(counts: Sequence[tuple[str, str, int]]) -> list[Admission | None]:
        await asyncio.sleep(0)  # in flight for a step, like a round trip
        return await store.count_many(counts)

    batches = KeyBatches(slow)

    async def ask(i: int) -> Admission | None:
        for _ in range(i % 4):
            await asyncio.sleep(0)
        return await batches.count(f"u{i % users}", "2026-03", 1)

    verdicts = await asyncio.gather(*(ask(i) for i in range(200)))

    assert all(v is not None for v in verdicts)
    assert sum(store.calls.values()) == 200
    assert all(len({(u, p) for u, p, _ in batch}) == len(batch) for batch in store.batches)

"""StepAdmissions: admits made in the same event-loop step are counted at the start of the next,
synchronously: one statement per key for all its calls (all or none), every key of the step in
one transaction; cancellation before it runs counts nothing; errors reach every member. The
store is a fake counter here (the SQL meter's tests run the grouping on a real SQLite file)."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import pytest

from adapters.persistence.sql.step_admissions import StepAdmissions
from application.ports.metering import Admission


class Busy(Exception):
    """The database is locked (InlineBusy's part)."""


class FakeStore:
    """Counts like the admission statements: k calls of a key all or none under `limit`, the
    keys of one call in one transaction; the next `busy` transactions find it locked."""

    def __init__(self, limit: int | None = None) -> None:
        self.limit = limit
        self.calls: dict[tuple[str, str], int] = {}
        self.transactions: list[list[tuple[str, str, int]]] = []
        self.fail: Exception | None = None
        self.busy = 0

    @property
    def statements(self) -> list[tuple[str, str, int]]:
        return [each for transaction in self.transactions for each in transaction]

    def count_many(self, counts: Sequence[tuple[str, str, int]]) -> list[Admission | None]:
        self.transactions.append(list(counts))
        if self.fail is not None:
            raise self.fail
        if self.busy:
            self.busy -= 1
            raise Busy("database is locked")
        return [self.count(user_id, period, k) for user_id, period, k in counts]

    def count(self, user_id: str, period: str, k: int) -> Admission | None:
        calls = self.calls.get((user_id, period), 0)
        if self.limit is not None and calls + k > self.limit:
            return None
        self.calls[user_id, period] = calls + k
        return Admission(allowed=True, calls=calls + k, limit=self.limit, plan="pro")


def _numbers(verdicts: list[object]) -> list[int]:
    return [v.calls for v in verdicts if isinstance(v, Admission)]


async def test_a_lone_admit_is_counted_by_a_statement_of_its_own() -> None:
    store = FakeStore()
    steps = StepAdmissions(store.count_many)

    verdict = await steps.admit("u1", "2026-03")

    assert verdict is not None and verdict.calls == 1
    assert store.statements == [("u1", "2026-03", 1)]
    assert steps.waiting == 0


async def test_admits_of_one_step_are_counted_by_one_statement_with_their_own_numbers() -> None:
    store = FakeStore()
    steps = StepAdmissions(store.count_many)

    verdicts = await asyncio.gather(*(steps.admit("u1", "2026-03") for _ in range(10)))

    assert store.statements == [("u1", "2026-03", 10)]
    assert _numbers(list(verdicts)) == list(range(1, 11))  # in the order they came
    assert steps.waiting == 0


async def test_each_user_and_period_has_its_own_statement_in_the_steps_transaction() -> None:
    store = FakeStore()
    steps = StepAdmissions(store.count_many)

    keys = [("u1", "2026-03"), ("u2", "2026-03"), ("u1", "2026-04"), ("u1", "2026-03")]
    verdicts = await asyncio.gather(*(steps.admit(user, period) for user, period in keys))

    assert store.transactions == [  # one statement per key, one transaction for the step
        [("u1", "2026-03", 2), ("u2", "2026-03", 1), ("u1", "2026-04", 1)]
    ]
    assert [v.calls for v in verdicts if v is not None] == [1, 1, 1, 2]


async def test_admits_of_later_steps_get_a_statement_of_their_own() -> None:
    store = FakeStore()
    steps = StepAdmissions(store.count_many)

    first = await steps.admit("u1", "2026-03")
    second = await asyncio.gather(*(steps.admit("u1", "2026-03") for _ in range(3)))

    assert store.statements == [("u1", "2026-03", 1), ("u1", "2026-03", 3)]
    assert first is not None and _numbers(list(second)) == [2, 3, 4]


async def test_near_the_limit_a_group_that_does_not_fit_is_sent_to_the_full_path() -> None:
    store = FakeStore(limit=3)
    steps = StepAdmissions(store.count_many)

    verdicts = await asyncio.gather(*(steps.admit("u1", "2026-03") for _ in range(5)))

    # 5 > 3: nothing is counted, every member is told to take the full path one at a time.
    assert list(verdicts) == [None] * 5
    assert store.calls == {}


async def test_an_admit_cancelled_before_its_step_is_neither_counted_nor_in_the_way() -> None:
    store = FakeStore()
    steps = StepAdmissions(store.count_many)

    calls = [asyncio.create_task(steps.admit("u1", "2026-03")) for _ in range(4)]
    await asyncio.sleep(0)  # every task is waiting for the step's statement
    calls[1].cancel()
    done = await asyncio.gather(*calls, return_exceptions=True)

    assert isinstance(done[1], asyncio.CancelledError)
    assert store.statements == [("u1", "2026-03", 3)]
    assert _numbers(done) == [1, 2, 3] and store.calls == {("u1", "2026-03"): 3}


async def test_a_step_whose_admits_were_all_cancelled_runs_no_statement() -> None:
    store = FakeStore()
    steps = StepAdmissions(store.count_many)

    call = asyncio.create_task(steps.admit("u1", "2026-03"))
    await asyncio.sleep(0)
    call.cancel()
    with pytest.raises(asyncio.CancelledError):
        await call
    await asyncio.sleep(0)

    assert store.statements == [] and steps.waiting == 0


async def test_a_failed_statement_fails_every_member_and_the_next_step_still_counts() -> None:
    store = FakeStore()
    steps = StepAdmissions(store.count_many)
    store.fail = OSError("disk I/O error")

    failed = await asyncio.gather(
        *(steps.admit("u1", "2026-03") for _ in range(3)), return_exceptions=True
    )
    store.fail = None
    later = await steps.admit("u1", "2026-03")

    assert all(isinstance(error, OSError) for error in failed)
    assert later is not None and later.calls == 1  # nothing was counted by the failed one


async def test_a_locked_database_is_tried_again_and_later_admits_join_the_waiting_group() -> None:
    store = FakeStore()
    store.busy = 2
    steps = StepAdmissions(store.count_many, Busy, retry_delays=(0.0, 0.01))

    first = [asyncio.create_task(steps.admit("u1", "2026-03")) for _ in range(2)]
    await asyncio.sleep(0.005)  # after the first retry, during the second's wait
    later = asyncio.create_task(steps.admit("u1", "2026-03"))
    verdicts = await asyncio.gather(*first, later)

    assert store.statements == [("u1", "2026-03", 2)] * 2 + [("u1", "2026-03", 3)]
    assert _numbers(list(verdicts)) == [1, 2, 3] and steps.waiting == 0


async def test_a_database_locked_at_every_try_raises_busy_in_every_member() -> None:
    store = FakeStore()
    store.busy = 3
    steps = StepAdmissions(store.count_many, Busy, retry_delays=(0.0, 0.001))

    done = await asyncio.gather(
        *(steps.admit("u1", "2026-03") for _ in range(3)), return_exceptions=True
    )
    after = await steps.admit("u1", "2026-03")  # the lock is gone: a new group, counted

    assert all(isinstance(error, Busy) for error in done)
    assert len(store.transactions) == 4 and store.calls == {("u1", "2026-03"): 1}
    assert after is not None and after.calls == 1


@pytest.mark.parametrize("limit", [1, 7, 50, 119, 120, 121, None])
async def test_many_concurrent_admits_allow_exactly_the_limit(limit: int | None) -> None:
    store = FakeStore(limit=limit)
    steps = StepAdmissions(store.count_many)

    async def admit(delay: int) -> Admission | None:
        for _ in range(delay):  # spread over several steps, like requests as they arrive
            await asyncio.sleep(0)
        # The meter's full path for a group that did not fit, one call at a time.
        return await steps.admit("u1", "2026-03") or store.count("u1", "2026-03", 1)

    verdicts = await asyncio.gather(*(admit(i % 5) for i in range(120)))

    allowed = sorted(_numbers(list(verdicts)))
    expected = 120 if limit is None else min(limit, 120)
    assert allowed == list(range(1, expected + 1))  # each number once, none past the limit
    assert store.calls.get(("u1", "2026-03"), 0) == expected

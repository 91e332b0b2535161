"""AdmissionCoalescer: admits of one key that arrive while its statement is in flight are
counted together, all or none; a lone admit runs at once; cancellation loses and doubles
nothing. The store is a fake counter here (the SQL meter's tests run it on real databases)."""

from __future__ import annotations

import asyncio

import pytest

from adapters.persistence.sql.admission_coalescer import AdmissionCoalescer
from application.ports.metering import Admission
from tests.support.loop_steps import until


class FakeStore:
    """Counts like the admission statement: k calls all or none under `limit`. Each statement
    waits for `release` when `hold` is set, so tests decide when it returns."""

    def __init__(self, limit: int | None = None, *, hold: bool = False) -> None:
        self.limit = limit
        self.calls = 0
        self.statements: list[int] = []
        self.tasks: list[asyncio.Task[object] | None] = []
        self.hold = hold
        self.release = asyncio.Event()
        self.fail: BaseException | None = None

    async def count(self, user_id: str, period: str, k: int) -> Admission | None:
        self.statements.append(k)
        self.tasks.append(asyncio.current_task())
        if self.hold:
            await self.release.wait()
            self.release.clear()
        if self.fail is not None:
            raise self.fail
        if self.limit is not None and self.calls + k > self.limit:
            return None
        self.calls += k
        return Admission(allowed=True, calls=self.calls, limit=self.limit, plan="pro")


async def test_a_lone_admit_runs_its_statement_at_once_in_the_callers_task() -> None:
    store = FakeStore()
    coalescer = AdmissionCoalescer(store.count)

    verdict = await coalescer.admit("u1", "2026-03")

    assert verdict is not None and verdict.calls == 1
    assert store.statements == [1]
    assert store.tasks == [asyncio.current_task()]  # no hop to another task, no waiting
    assert coalescer.in_flight == 0


async def test_admits_waiting_on_one_statement_are_counted_by_one_with_their_own_numbers() -> None:
    store = FakeStore(hold=True)
    coalescer = AdmissionCoalescer(store.count)

    calls = [asyncio.create_task(coalescer.admit("u1", "2026-03")) for _ in range(10)]
    await until(lambda: store.statements == [1])
    store.release.set()
    await until(lambda: store.statements == [1, 9])
    store.release.set()
    verdicts = await asyncio.gather(*calls)

    assert [v.calls for v in verdicts if v is not None] == list(range(1, 11))
    assert store.calls == 10 and coalescer.in_flight == 0


async def test_other_users_and_periods_are_not_held_up() -> None:
    store = FakeStore(hold=True)
    coalescer = AdmissionCoalescer(store.count)

    first = asyncio.create_task(coalescer.admit("u1", "2026-03"))
    await until(lambda: store.statements == [1])
    others = [
        asyncio.create_task(coalescer.admit(user, period))
        for user, period in (("u2", "2026-03"), ("u1", "2026-04"))
    ]
    await until(lambda: store.statements == [1, 1, 1])  # started at once, not queued
    for _ in range(3):
        store.release.set()
        await asyncio.sleep(0)
    await asyncio.gather(first, *others)
    assert coalescer.in_flight == 0


async def test_near_the_limit_a_refused_group_falls_back_to_one_at_a_time() -> None:
    store = FakeStore(limit=3, hold=True)
    coalescer = AdmissionCoalescer(store.count)

    calls = [asyncio.create_task(coalescer.admit("u1", "2026-03")) for _ in range(6)]
    await until(lambda: store.statements == [1])
    store.release.set()
    await until(lambda: store.statements == [1, 5])
    store.release.set()
    verdicts = await asyncio.gather(*calls)

    # 1 + 5 > 3: the group is not counted, every member is told to take the full path.
    assert verdicts[0] is not None and verdicts[0].calls == 1
    assert verdicts[1:] == [None] * 5
    assert store.calls == 1


async def test_a_waiter_cancelled_before_its_statement_is_neither_counted_nor_in_the_way() -> None:
    store = FakeStore(hold=True)
    coalescer = AdmissionCoalescer(store.count)

    calls = [asyncio.create_task(coalescer.admit("u1", "2026-03")) for _ in range(4)]
    await until(lambda: store.statements == [1])
    calls[2].cancel()
    await asyncio.sleep(0)
    store.release.set()
    await until(lambda: store.statements == [1, 2])
    store.release.set()
    done = await asyncio.gather(*calls, return_exceptions=True)

    assert isinstance(done[2], asyncio.CancelledError)
    assert [v.calls for v in (done[0], done[1], done[3]) if isinstance(v, Admission)] == [1, 2, 3]
    assert store.calls == 3 and coalescer.in_flight == 0


async def test_a_member_cancelled_during_its_statement_leaves_the_others_their_verdicts() -> None:
    store = FakeStore(hold=True)
    coalescer = AdmissionCoalescer(store.count)

    calls = [asyncio.create_task(coalescer.admit("u1", "2026-03")) for _ in range(4)]
    await until(lambda: store.statements == [1])
    store.release.set()
    await until(lambda: store.statements == [1, 3])
    calls[1].cancel()  # its group's statement is running: it is counted, like a lone call's
    await asyncio.sleep(0)
    store.release.set()
    done = await asyncio.gather(*calls, return_exceptions=True)

    assert isinstance(done[1], asyncio.CancelledError)
    assert [v.calls for v in (done[0], done[2], done[3]) if isinstance(v, Admission)] == [1, 3, 4]
    assert store.calls == 4 and coalescer.in_flight == 0


async def test_a_leader_cancelled_during_its_statement_still_hands_over_to_the_waiters() -> None:
    store = FakeStore(hold=True)
    coalescer = AdmissionCoalescer(store.count)

    calls = [asyncio.create_task(coalescer.admit("u1", "2026-03")) for _ in range(3)]
    await until(lambda: store.statements == [1])
    calls[0].cancel()
    await until(lambda: store.statements == [1, 2])
    store.release.set()
    done = await asyncio.gather(*calls, return_exceptions=True)

    assert isinstance(done[0], asyncio.CancelledError)
    assert [v.calls for v in done[1:] if isinstance(v, Admission)] == [1, 2]
    assert coalescer.in_flight == 0


async def test_a_failed_group_statement_fails_each_member_and_the_next_group_still_runs() -> None:
    store = FakeStore(hold=True)
    coalescer = AdmissionCoalescer(store.count)

    calls = [asyncio.create_task(coalescer.admit("u1", "2026-03")) for _ in range(3)]
    await until(lambda: store.statements == [1])
    store.release.set()
    await until(lambda: store.statements == [1, 2])
    store.fail = ConnectionResetError("down")
    later = asyncio.create_task(coalescer.admit("u1", "2026-03"))
    await asyncio.sleep(0)
    store.release.set()
    await until(lambda: store.statements == [1, 2, 1])
    store.fail = None
    store.release.set()
    done = await asyncio.gather(*calls, later, return_exceptions=True)

    assert isinstance(done[0], Admission) and done[0].calls == 1
    assert all(isinstance(error, ConnectionResetError) for error in done[1:3])
    assert isinstance(done[3], Admission) and done[3].calls == 2
    assert coalescer.in_flight == 0


@pytest.mark.parametrize("limit", [1, 7, 50, 119, 120, 121, None])
async def test_many_concurrent_admits_allow_exactly_the_limit(limit: int | None) -> None:
    store = FakeStore(limit=limit)

    async def slow_count(user_id: str, period: str, k: int) -> Admission | None:
        await asyncio.sleep(0)  # in flight for one loop step, like a round trip
        return await store.count(user_id, period, k)

    coalescer = AdmissionCoalescer(slow_count)

    async def admit() -> Admission | None:
        # The meter's full path for a refused group, one call at a time.
        return await coalescer.admit("u1", "2026-03") or await store.count("u1", "2026-03", 1)

    verdicts = await asyncio.gather(*(admit() for _ in range(120)))

    allowed = sorted(v.calls for v in verdicts if v is not None)
    assert allowed == list(range(1, min(limit or 120, 120) + 1))
    assert store.statements[:2] == [1, 119]  # the rest waited for the first, then went together


async def test_gathering_a_step_counts_its_first_admits_with_one_statement() -> None:
    store = FakeStore(hold=True)
    coalescer = AdmissionCoalescer(store.count, gather_step=True)

    calls = [asyncio.create_task(coalescer.admit("u1", "2026-03")) for _ in range(10)]
    await until(lambda: store.statements == [10])  # not [1], then [9]
    later = asyncio.create_task(coalescer.admit("u1", "2026-03"))  # while it is in flight
    await asyncio.sleep(0)
    store.release.set()
    await until(lambda: store.statements == [10, 1])
    store.release.set()
    verdicts = await asyncio.gather(*calls, later)

    assert [v.calls for v in verdicts if v is not None] == list(range(1, 12))
    assert all(task is not asyncio.current_task() for task in store.tasks)
    assert coalescer.in_flight == 0


async def test_gathering_a_lone_admit_is_counted_alone_after_one_step() -> None:
    store = FakeStore()
    coalescer = AdmissionCoalescer(store.count, gather_step=True)

    first = await coalescer.admit("u1", "2026-03")
    second = await coalescer.admit("u1", "2026-03")

    assert (first and first.calls, second and second.calls) == (1, 2)
    assert store.statements == [1, 1] and coalescer.in_flight == 0


async def test_gathering_the_first_admit_cancelled_before_the_step_leaves_the_others_counted() -> (
    None
):
    store = FakeStore()
    coalescer = AdmissionCoalescer(store.count, gather_step=True)

    calls = [asyncio.create_task(coalescer.admit("u1", "2026-03")) for _ in range(3)]
    await asyncio.sleep(0)  # all three wait for the group's task, which has not run yet
    calls[0].cancel()
    done = await asyncio.gather(*calls, return_exceptions=True)

    assert isinstance(done[0], asyncio.CancelledError)
    assert store.statements == [2] and [v.calls for v in done[1:] if v] == [1, 2]


async def test_gathering_a_member_cancelled_during_the_statement_does_not_cancel_it() -> None:
    store = FakeStore(hold=True)
    coalescer = AdmissionCoalescer(store.count, gather_step=True)

    calls = [asyncio.create_task(coalescer.admit("u1", "2026-03")) for _ in range(3)]
    await until(lambda: store.statements == [3])
    calls[0].cancel()  # the first admit: the statement is the group's, not its own
    await asyncio.sleep(0)
    store.release.set()
    done = await asyncio.gather(*calls, return_exceptions=True)

    assert isinstance(done[0], asyncio.CancelledError)
    assert [v.calls for v in done[1:] if isinstance(v, Admission)] == [2, 3]
    assert store.calls == 3 and coalescer.in_flight == 0  # counted, as once sent it must be


@pytest.mark.parametrize("limit", [1, 50, 119, 120, None])
async def test_gathering_many_concurrent_admits_allow_exactly_the_limit(limit: int | None) -> None:
    store = FakeStore(limit=limit)

    async def slow_count(user_id: str, period: str, k: int) -> Admission | None:
        await asyncio.sleep(0)  # in flight for one loop step, like a round trip
        return await store.count(user_id, period, k)

    coalescer = AdmissionCoalescer(slow_count, gather_step=True)

    async def admit(delay: int) -> Admission | None:
        for _ in range(delay):
            await asyncio.sleep(0)
        return await coalescer.admit("u1", "2026-03") or await store.count("u1", "2026-03", 1)

    verdicts = await asyncio.gather(*(admit(i % 7) for i in range(120)))

    allowed = sorted(v.calls for v in verdicts if v is not None)
    expected = 120 if limit is None else min(limit, 120)
    assert allowed == list(range(1, expected + 1))
    assert store.calls == expected and coalescer.in_flight == 0


async def test_a_busy_key_waits_a_little_for_more_admits_and_an_idle_one_does_not() -> None:
    store = FakeStore()
    coalescer = AdmissionCoalescer(store.count, gather_step=True, busy_delay=0.05)

    async with asyncio.timeout(0.04):  # calls that never overlap never wait the busy delay
        for _ in range(3):
            await coalescer.admit("u1", "2026-03")
    await asyncio.gather(*(coalescer.admit("u1", "2026-03") for _ in range(3)))  # overlapping
    first = asyncio.create_task(coalescer.admit("u1", "2026-03"))
    await asyncio.sleep(0.01)  # a step is long gone; the busy key's group is still open
    second = asyncio.create_task(coalescer.admit("u1", "2026-03"))
    verdicts = await asyncio.gather(first, second)

    assert store.statements == [1, 1, 1, 3, 2]
    assert [v.calls for v in verdicts if v is not None] == [7, 8]
    assert coalescer.in_flight == 0

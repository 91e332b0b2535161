"""AdmissionCoalescer: admits of one (user, period) that arrive while its statement is in flight
are counted together by one statement.

On PostgreSQL each admit is a round trip, and its client CPU is mostly the socket write that
sends the statement (on loopback the kernel delivers it to PostgreSQL in the sender's time), not
the statement. Under load many admits of the same user arrive while one is in flight; they wait
for it, then one statement counts all of them, all or none (`admission_statement` with
`:count`). The rules:

- No waiting when nothing is in flight for the key: a lone call runs its statement at once,
  exactly as without this class. With `gather_step`, the first admit of a key waits for the
  next event-loop step instead, and the admits of the key made meanwhile are counted with it
  by the same statement, in a task of the group's own (see `admit`). With `busy_delay` too,
  on a busy key (one whose last group of two or more was counted less than `BUSY_FOR_S`
  ago: calls of the user overlap) the first group waits that long: PostgreSQL's own
  `commit_delay` with `commit_siblings` makes the same trade, a little latency under
  concurrency for far fewer round trips. A key whose calls never overlap (one client calling
  in sequence) never waits more than the step.
- While a statement for the key is in flight, later admits join a group. When the statement is
  done, the group's statement starts (in one task, which goes on with the next group while
  there is one); admits arriving meanwhile join the next group.
- The group's statement counts k calls only if all k fit under the limit (`calls + k <= limit`)
  and returns the count after them, C: the members get C - k + 1, ..., C in the order they
  came (each its own figure). No row back: every member takes the full path one call at a
  time (`None`), which decides and explains refusals exactly, so near the limit each call that
  still fits is counted and the rest are refused.
- The count stays one atomic conditional statement: across connections, processes and
  instances nothing passes the limit. Coalescing only happens inside one process.
- Cancellation: a member cancelled before its group's statement starts is not counted. Once the
  statement is sent, its outcome is not knowable before it returns, so a member cancelled after
  that is counted, as a lone call cancelled while its own statement ran would be. The
  statement is not cancelled with a member: the others still get their verdicts. A failed
  statement (database down) raises its error in every member; nothing was counted unless it
  committed, as for a lone call.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Final

from adapters.persistence.sql.group_verdicts import fail_waiters, hand_out
from application.ports.metering import Admission

__all__ = ["BUSY_FOR_S", "AdmissionCoalescer", "CountCalls"]

BUSY_FOR_S: Final = 0.05
"""A key is busy for this long after a group of two or more of its admits was counted."""
MAX_BUSY_KEYS: Final = 4096

CountCalls = Callable[[str, str, int], Awaitable[Admission | None]]
"""count(user_id, period, k): count k calls at once, all or none. The admission of the last of
them (`calls` = the count after the k calls), or None when they were not counted."""


class _Flight:
    """A statement in flight for one key, and the admits waiting for the next one."""

    __slots__ = ("loop", "task", "waiting")

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.waiting: list[asyncio.Future[Admission | None]] = []
        self.task: asyncio.Task[None] | None = None


class AdmissionCoalescer:
    """Per-process coalescing of the common-case admission statement (see the module doc)."""

    def __init__(
        self, count: CountCalls, *, gather_step: bool = False, busy_delay: float = 0.0
    ) -> None:
        self._count = count
        self._gather_step = gather_step
        self._busy_delay = busy_delay
        self._flights: dict[tuple[str, str], _Flight] = {}
        self._busy_until: dict[tuple[str, str], float] = {}
        """Keys whose last group of two or more was counted recently (loop time it ends)."""

    @property
    def in_flight(self) -> int:
        """Keys with a statement in flight (tests, gauges)."""
        return len(self._flights)

    async def admit(self, user_id: str, period: str) -> Admission | None:
        """Count one call of the common case, alone or with others waiting on the same key.

        Returns:
            Its admission (`calls`: its own number), or None: not counted, take the full path.
        """
        key = (user_id, period)
        loop = asyncio.get_running_loop()
        flight = self._flights.get(key)
        # A flight of another event loop (one closed mid-statement: tests run apps on several
        # loops) can never end on this one: start afresh.
        if flight is not None and flight.loop is loop:
            waiter: asyncio.Future[Admission | None] = loop.create_future()
            flight.waiting.append(waiter)
            return await waiter
        flight = self._flights[key] = _Flight(loop)
        if self._gather_step:
            # The group's task starts at the next step: the admits of this key made in this
            # one join the first group (under load, the requests read off the sockets
            # together reach the meter together). The statement runs in that task, so no
            # member's cancellation cancels it for the others.
            waiter = loop.create_future()
            flight.waiting.append(waiter)
            flight.task = loop.create_task(self._run_groups(key, flight, None))
            return await waiter
        try:
            return await self._count(user_id, period, 1)
        finally:
            self._next(key, flight)

    def _next(self, key: tuple[str, str], flight: _Flight) -> None:
        """The key's statement is done: start the waiting group's, or end the flight."""
        group = self._close_group(key, flight)
        if group is not None:
            flight.task = flight.loop.create_task(self._run_groups(key, flight, group))

    def _close_group(
        self, key: tuple[str, str], flight: _Flight
    ) -> list[asyncio.Future[Admission | None]] | None:
        """The admits waiting now, as the next group; None (and the flight ended) if none."""
        group = [waiter for waiter in flight.waiting if not waiter.done()]
        flight.waiting = []
        if group and not flight.loop.is_closed():
            return group
        if self._flights.get(key) is flight:
            del self._flights[key]
        flight.task = None
        return None

    async def _run_groups(
        self,
        key: tuple[str, str],
        flight: _Flight,
        group: list[asyncio.Future[Admission | None]] | None,
    ) -> None:
        """Count groups one after the other while admits keep waiting (`group` None: the
        admits waiting now are the first)."""
        # Under load a group is waiting whenever a statement returns: this one task counts
        # them one after the other (a new task per group cost ~2.5 us of CPU per admit, about
        # a third of the coalescer's own, with 4 admitters and a statement that does nothing).
        next_group = group
        try:
            if next_group is None:
                if self._busy_delay and self._busy(key, flight.loop.time()):
                    await asyncio.sleep(self._busy_delay)  # admits keep joining the flight
                next_group = self._close_group(key, flight)
            while next_group is not None:
                await self._run_group(key, next_group)
                next_group = self._close_group(key, flight)
        except BaseException:
            self._next(key, flight)  # those waiting meanwhile get a task of their own
            raise

    async def _run_group(
        self, key: tuple[str, str], closed: list[asyncio.Future[Admission | None]]
    ) -> None:
        """Count one group: each member gets its verdict, or the statement's error."""
        # Members cancelled since the group closed are left out; from here on nothing awaits
        # before the statement is sent but the driver's own steps.
        group = [waiter for waiter in closed if not waiter.done()]
        if not group:
            return
        try:
            counted = await self._count(key[0], key[1], len(group))
            if counted is not None and len(group) > 1 and self._busy_delay:
                self._mark_busy(key, asyncio.get_running_loop().time())
            hand_out(group, counted)
        except BaseException as error:
            fail_waiters(group, error)
            if not isinstance(error, Exception):
                raise

    def _busy(self, key: tuple[str, str], now: float) -> bool:
        until = self._busy_until.get(key)
        if until is None:
            return False
        if until > now:
            return True
        del self._busy_until[key]
        return False

    def _mark_busy(self, key: tuple[str, str], now: float) -> None:
        if len(self._busy_until) >= MAX_BUSY_KEYS:
            # Keys seen once and never again would pile up: keep the ones still busy.
            self._busy_until = {k: t for k, t in self._busy_until.items() if t > now}
        self._busy_until[key] = now + BUSY_FOR_S

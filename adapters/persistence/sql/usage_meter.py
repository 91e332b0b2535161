"""SqlUsageMeter: check-and-count as one conditional upsert on SQLite and PostgreSQL.

The count goes up only when it is below the limit, in the same statement that reads it:

    INSERT INTO usage_counters (user_id, period, calls, blocked) VALUES (:u, :p, 1, 0)
    ON CONFLICT (user_id, period) DO UPDATE SET calls = usage_counters.calls + 1
    WHERE usage_counters.calls < :limit RETURNING calls

PostgreSQL locks the conflicting row and evaluates the WHERE on its latest version, so any
number of connections, processes and instances never pass the limit; SQLite runs one writing
statement at a time. No row returned means refused; the blocked counter goes up instead.

The common case (`admission_statement`) is compiled once per dialect and run on the driver
(`DriverStatement`): inline on a file SQLite database (`InlineSqlite`, falling back to the
engine when the database is locked), on the meter's own asyncpg connections on PostgreSQL
(`PostgresDriverPool`). Inline SQLite first tries `counting_update`, the same conditions as an
UPDATE of an existing row, which SQLite runs for far less than the upsert. Admits of one user
and period are counted together by one statement, all or none: inline, those made in the same
event-loop step (`StepAdmissions`); otherwise those that arrive while its statement is in
flight (`AdmissionCoalescer`). The full path, which decides and explains refusals one call at
a time, uses the engine.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from adapters.persistence.sql.admission_coalescer import AdmissionCoalescer
from adapters.persistence.sql.admission_statement import (
    UNLIMITED,
    admission_statement,
    counting_update,
    counting_update_many,
)
from adapters.persistence.sql.driver_statement import DriverStatement
from adapters.persistence.sql.inline_sqlite import FetchOne, InlineBusy, InlineSqlite
from adapters.persistence.sql.key_batches import KeyBatches
from adapters.persistence.sql.postgres_driver_pool import PostgresDriverPool
from adapters.persistence.sql.step_admissions import StepAdmissions
from adapters.persistence.sql.tables import budget_caps, servers, usage_counters, users
from application.ports.metering import Admission, UsageCounts
from domain.metering.gate import allowed_calls, refusal_reason
from domain.metering.plans import PLANS, Plan, plan_named

__all__ = ["SqlUsageMeter"]

BUSY_GATHER_S = 0.0003
"""PostgreSQL: how long the first admit of a busy user waits for others to share its statement
(server-bound, one user, 20 connections: metering cost 20% of the throughput with the step
alone, 9% with 0.3 ms, 6% with 1 ms; docs/metering.md)."""

_ACTIVE = (
    sa.select(sa.func.count())
    .where(servers.c.owner_id == sa.bindparam("user_id"), servers.c.is_active.is_(True))
    .scalar_subquery()
)
_ACCOUNT = (
    sa.select(users.c.plan, budget_caps.c.cap_micro_eur, _ACTIVE.label("active"))
    .select_from(users.outerjoin(budget_caps, budget_caps.c.user_id == users.c.id))
    .where(users.c.id == sa.bindparam("user_id"))
)


def _insert(connection: AsyncConnection) -> Any:
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    return dialect.insert(usage_counters)


class SqlUsageMeter:
    """Counters in `usage_counters`; plans from `plans` (tests may give small figures).

    With `inline` (a file SQLite database), the common case runs on the calling thread and
    falls back to the engine when the database is locked (see `InlineSqlite`). With `pool`
    (PostgreSQL), it runs on the meter's own connections (see `PostgresDriverPool`).
    """

    def __init__(
        self,
        engine: AsyncEngine,
        plans: Callable[[str], Plan] = plan_named,
        inline: InlineSqlite | None = None,
        pool: PostgresDriverPool | None = None,
    ) -> None:
        self._engine = engine
        self._plans = plans
        self._inline = inline
        self._pool = pool
        self._common_case = admission_statement(plans, PLANS)
        # Compiled once for the driver that runs it (`?` for sqlite3, `$n` for asyncpg, which
        # prepares the text once per connection).
        self._driver_sql = DriverStatement.compile(self._common_case, engine.dialect)
        # Inline SQLite tries the cheaper UPDATE first (see counting_update).
        self._update_sql = DriverStatement.compile(counting_update(plans, PLANS), engine.dialect)
        # On PostgreSQL the first admit of a key waits for the next event-loop step (for
        # BUSY_GATHER_S when the user's calls overlap), so that the admits made meanwhile
        # share its round trip (see AdmissionCoalescer).
        self._coalescer = AdmissionCoalescer(
            self._count_calls,
            gather_step=pool is not None,
            busy_delay=BUSY_GATHER_S if pool is not None else 0.0,
        )
        self._steps = (
            None if inline is None else StepAdmissions(self._count_inline_many, InlineBusy)
        )
        # On PostgreSQL the groups of different users started in one step share a round trip.
        self._batches = None if pool is None else KeyBatches(self._count_many_on_pool)
        self._many_sql = (
            None
            if pool is None
            else DriverStatement.compile(counting_update_many(plans, PLANS), engine.dialect)
        )

    async def admit(self, user_id: str, server_id: str, period: str) -> Admission:
        # The common case (allowed, within the server limit) is one statement, shared by the
        # admits of the same user and period made together (StepAdmissions inline on SQLite,
        # AdmissionCoalescer and KeyBatches otherwise); anything else is decided and
        # explained by the full path.
        counted: Admission | None = None
        if self._steps is not None:
            # Inline SQLite runs the statement without an await: nothing is ever in flight to
            # wait for, so the admits of one event-loop step are counted together instead,
            # and the coalescer is only for when the database is locked.
            try:
                counted = await self._steps.admit(user_id, period)
            except InlineBusy:
                counted = await self._coalescer.admit(user_id, period)
        else:
            counted = await self._coalescer.admit(user_id, period)
        if counted is not None:
            return counted
        async with self._engine.connect() as connection:
            await connection.execution_options(isolation_level="AUTOCOMMIT")
            return await self._admit(connection, user_id, server_id, period)

    async def _count_calls(self, user_id: str, period: str, count: int) -> Admission | None:
        """The common case's statement for `count` calls (all or none); see CountCalls."""
        if self._batches is not None:
            return await self._batches.count(user_id, period, count)
        parameters = {"user_id": user_id, "period": period, "count": count}
        if self._inline is not None:
            with contextlib.suppress(InlineBusy):
                return self._inline_count(self._inline.fetch_one, parameters)
        return await self._engine_count(parameters)

    async def _count_on_pool(
        self, pool: PostgresDriverPool, user_id: str, period: str, count: int
    ) -> Admission | None:
        parameters = {"user_id": user_id, "period": period, "count": count}
        row = await pool.fetch_row(self._driver_sql.sql, *self._driver_sql.arguments(parameters))
        return None if row is None else _counted(*row)

    async def _count_many_on_pool(
        self, counts: Sequence[tuple[str, str, int]]
    ) -> Sequence[Admission | Exception | None]:
        """PostgreSQL: the keys of a batch in one round trip (see KeyBatches); the keys it did
        not count get their own statement, which creates the period's row or finds the calls
        refused (its error, if it fails, is that key's alone: the others were counted)."""
        pool, many = self._pool, self._many_sql
        assert pool is not None and many is not None
        if len(counts) == 1:
            return [await self._count_on_pool(pool, *counts[0])]
        rows = await pool.fetch_rows(
            many.sql,
            [user for user, _, _ in counts],
            [period for _, period, _ in counts],
            [count for _, _, count in counts],
        )
        counted: dict[tuple[str, str], Admission | Exception | None] = {
            (row[0], row[1]): _counted(row[2], row[3], row[4]) for row in rows
        }
        missing = [each for each in counts if (each[0], each[1]) not in counted]
        alone = await asyncio.gather(
            *(self._count_on_pool(pool, *each) for each in missing), return_exceptions=True
        )
        for (user, period, _), verdict in zip(missing, alone, strict=True):
            if isinstance(verdict, BaseException) and not isinstance(verdict, Exception):
                raise verdict  # cancelled
            counted[user, period] = verdict
        return [counted.get((user, period)) for user, period, _ in counts]

    def _count_inline_many(
        self, counts: Sequence[tuple[str, str, int]]
    ) -> Sequence[Admission | None]:
        """The common case for each (user, period, count), inline, in one transaction when
        there are several (see StepAdmissions; raises InlineBusy, nothing counted)."""
        assert self._inline is not None
        parameters = [{"user_id": u, "period": p, "count": k} for u, p, k in counts]
        if len(parameters) == 1:
            return [self._inline_count(self._inline.fetch_one, parameters[0])]
        return self._inline.in_transaction(
            lambda fetch_one: [self._inline_count(fetch_one, each) for each in parameters]
        )

    def _inline_count(self, fetch_one: FetchOne, parameters: dict[str, Any]) -> Admission | None:
        """The common case on an inline SQLite connection (raises InlineBusy): the UPDATE when
        the period's row exists and the calls are allowed, else the upsert, which creates the
        row or finds the calls refused."""
        row = fetch_one(self._update_sql.sql, self._update_sql.arguments(parameters))
        if row is None:
            row = fetch_one(self._driver_sql.sql, self._driver_sql.arguments(parameters))
        return None if row is None else _counted(*row)

    async def _engine_count(self, parameters: dict[str, Any]) -> Admission | None:
        async with self._engine.connect() as connection:
            # Each statement of the meter is atomic alone (the count is one conditional
            # upsert), so autocommit saves the BEGIN and COMMIT round trips; on SQLite the
            # write lock is then held for the upsert only.
            await connection.execution_options(isolation_level="AUTOCOMMIT")
            row = (await connection.execute(self._common_case, parameters)).first()
        return None if row is None else _counted(row.calls, row.plan_id, row.call_limit)

    async def _admit(
        self, connection: AsyncConnection, user_id: str, server_id: str, period: str
    ) -> Admission:
        account = (await connection.execute(_ACCOUNT, {"user_id": user_id})).first()
        plan = self._plans(account.plan if account else "free")
        cap = account.cap_micro_eur if account else None
        active = account.active if account else 0
        if plan.active_servers is not None and active > plan.active_servers:
            rank = await _older_active_servers(connection, user_id, server_id)
            if rank >= plan.active_servers:
                calls = await self._block(connection, user_id, period)
                return Admission(
                    allowed=False,
                    reason="plan_limit",
                    calls=calls,
                    limit=None,
                    plan=plan.id,
                    server_limit=plan.active_servers,
                    active_servers=active,
                )
        limit = allowed_calls(plan, cap)
        counted = await self._count(connection, user_id, period, limit)
        if counted is not None:
            return Admission(allowed=True, calls=counted, limit=limit, plan=plan.id)
        calls = await self._block(connection, user_id, period)
        return Admission(
            allowed=False, reason=refusal_reason(plan), calls=calls, limit=limit, plan=plan.id
        )

    async def _count(
        self, connection: AsyncConnection, user_id: str, period: str, limit: int | None
    ) -> int | None:
        if limit is not None and limit <= 0:
            return None  # the insert below would count a first call unconditionally
        insert = _insert(connection).values(user_id=user_id, period=period, calls=1, blocked=0)
        upsert = insert.on_conflict_do_update(
            index_elements=[usage_counters.c.user_id, usage_counters.c.period],
            set_={"calls": usage_counters.c.calls + 1},
            where=None if limit is None else usage_counters.c.calls < limit,
        ).returning(usage_counters.c.calls)
        return (await connection.execute(upsert)).scalar_one_or_none()

    async def _block(self, connection: AsyncConnection, user_id: str, period: str) -> int:
        insert = _insert(connection).values(user_id=user_id, period=period, calls=0, blocked=1)
        upsert = insert.on_conflict_do_update(
            index_elements=[usage_counters.c.user_id, usage_counters.c.period],
            set_={"blocked": usage_counters.c.blocked + 1},
        ).returning(usage_counters.c.calls)
        return int((await connection.execute(upsert)).scalar_one())

    async def counts(self, user_id: str, period: str) -> UsageCounts:
        statement = sa.select(usage_counters.c.calls, usage_counters.c.blocked).where(
            usage_counters.c.user_id == user_id, usage_counters.c.period == period
        )
        async with self._engine.connect() as connection:
            row = (await connection.execute(statement)).first()
        return UsageCounts() if row is None else UsageCounts(int(row.calls), int(row.blocked))

    async def seed(self, user_id: str, period: str, counts: UsageCounts) -> None:
        async with self._engine.begin() as connection:
            insert = _insert(connection).values(
                user_id=user_id, period=period, calls=counts.calls, blocked=counts.blocked
            )
            await connection.execute(
                insert.on_conflict_do_update(
                    index_elements=[usage_counters.c.user_id, usage_counters.c.period],
                    set_={"calls": counts.calls, "blocked": counts.blocked},
                )
            )


def _counted(calls: int, plan_id: str, call_limit: int) -> Admission:
    """The common case's row: (calls, plan id, call limit) as the statement returns them."""
    limit = int(call_limit)
    return Admission(
        allowed=True,
        calls=int(calls),
        limit=None if limit >= UNLIMITED else limit,
        plan=str(plan_id),
    )


async def _older_active_servers(connection: AsyncConnection, user_id: str, server_id: str) -> int:
    """How many of the user's active servers were created before this one (its rank)."""
    this = servers.alias("this")
    statement = (
        sa.select(sa.func.count())
        .select_from(servers.join(this, this.c.id == server_id))
        .where(
            servers.c.owner_id == user_id,
            servers.c.is_active.is_(True),
            sa.tuple_(servers.c.created_at, servers.c.id) < sa.tuple_(this.c.created_at, this.c.id),
        )
    )
    return int((await connection.execute(statement)).scalar_one())

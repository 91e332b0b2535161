"""The UsageMeter and BudgetCaps contract: one suite on memory, SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from adapters.persistence.sql import create_sql_engine
from adapters.persistence.sql.inline_sqlite import InlineSqlite
from adapters.persistence.sql.postgres_driver_pool import METER_POOL_SIZE, PostgresDriverPool
from application.ports.metering import UsageCounts
from domain.metering.plans import Plan, plan_named
from tests.contract.conftest import migrated_sql_url
from tests.support.metering_stores import MeteringStores, add_account, memory_stores, sql_stores
from tests.support.scaled_plans import scaled_plan

PERIOD = "2026-03"


def tiny_plans(
    included: int, rate: int | None = 50, servers: int | None = 10
) -> Callable[[str], Plan]:
    """Plan figures small enough to count to (the real PLANS are left alone)."""

    def lookup(plan_id: str) -> Plan:
        return scaled_plan(plan_id, included, rate, servers)

    return lookup


@pytest.fixture(
    params=[
        "memory",
        "sqlite",
        "sqlite-inline",
        pytest.param("postgres", marks=pytest.mark.postgres),
        pytest.param("postgres-pool", marks=pytest.mark.postgres),
    ]
)
async def make_stores(
    request: pytest.FixtureRequest, tmp_path: Path
) -> AsyncIterator[Callable[..., MeteringStores]]:
    """Builds one adapter's stores over the same data; each SQL call opens a new engine (as
    another process would). Memory returns its one set of stores every time. `-inline` and
    `-pool`: the meter's common case runs on the driver (`InlineSqlite`, `PostgresDriverPool`),
    as in `specmcp serve`; without, on the engine (the fallback path)."""
    if request.param == "memory":
        made: list[MeteringStores] = []

        def make_memory(plans: Callable[[str], Plan] = plan_named) -> MeteringStores:
            if not made:
                made.append(memory_stores(plans))
            return made[0]

        yield make_memory
        return
    url = migrated_sql_url(request, tmp_path, request.param)
    engines: list[Any] = [create_sql_engine(url)]
    drivers: list[Any] = []
    async with engines[0].begin() as connection:
        for table in (
            "request_logs",
            "usage_counters",
            "budget_caps",
            "tools",
            "servers",
            "specs",
            "users",
        ):
            await connection.execute(text(f"DELETE FROM {table}"))

    def make_sql(plans: Callable[[str], Plan] = plan_named) -> MeteringStores:
        engines.append(create_sql_engine(url))
        inline = InlineSqlite.for_url(url) if request.param == "sqlite-inline" else None
        pool = PostgresDriverPool.for_url(url) if request.param == "postgres-pool" else None
        drivers.extend(d for d in (inline, pool) if d is not None)
        return sql_stores(engines[-1], plans, inline=inline, pool=pool)

    try:
        yield make_sql
    finally:
        for driver in drivers:
            if isinstance(driver, InlineSqlite):
                driver.dispose()
            else:
                await driver.close()
        for engine in engines:
            await engine.dispose()


async def test_counts_calls_up_to_the_free_quota_then_refuses_without_counting(make_stores):
    stores = make_stores(tiny_plans(included=3, rate=None))
    [server] = await add_account(stores.uow, "u1")

    verdicts = [await stores.meter.admit("u1", server, PERIOD) for _ in range(5)]

    assert [v.allowed for v in verdicts] == [True, True, True, False, False]
    assert [v.calls for v in verdicts] == [1, 2, 3, 3, 3]
    assert verdicts[-1].reason == "monthly_quota" and verdicts[-1].limit == 3
    assert await stores.meter.counts("u1", PERIOD) == UsageCounts(calls=3, blocked=2)


async def test_cap_zero_stops_exactly_at_the_quota(make_stores):
    stores = make_stores(tiny_plans(included=2))
    [server] = await add_account(stores.uow, "u1", plan="starter")
    await stores.caps.set("u1", 0)

    verdicts = [await stores.meter.admit("u1", server, PERIOD) for _ in range(3)]

    assert [v.allowed for v in verdicts] == [True, True, False]
    assert verdicts[-1].reason == "budget_cap"


async def test_the_cap_allows_exactly_cap_over_rate_overage_calls(make_stores):
    stores = make_stores(tiny_plans(included=1, rate=50))
    [server] = await add_account(stores.uow, "u1", plan="starter")
    await stores.caps.set("u1", 149)  # two calls' worth of 50, not three

    allowed = [(await stores.meter.admit("u1", server, PERIOD)).allowed for _ in range(5)]

    assert allowed == [True, True, True, False, False]


async def test_removing_the_cap_removes_the_stop_at_once(make_stores):
    stores = make_stores(tiny_plans(included=1))
    [server] = await add_account(stores.uow, "u1", plan="pro")
    await stores.caps.set("u1", 0)
    await stores.meter.admit("u1", server, PERIOD)
    assert not (await stores.meter.admit("u1", server, PERIOD)).allowed

    await stores.caps.set("u1", None)

    assert await stores.caps.get("u1") is None
    verdict = await stores.meter.admit("u1", server, PERIOD)
    assert verdict.allowed and verdict.limit is None and verdict.calls == 2


async def test_real_plans_stop_at_the_seeded_counter(make_stores):
    stores = make_stores()
    [server] = await add_account(stores.uow, "u1", plan="free")
    await stores.meter.seed("u1", PERIOD, UsageCounts(calls=999))

    first = await stores.meter.admit("u1", server, PERIOD)
    second = await stores.meter.admit("u1", server, PERIOD)

    assert (first.allowed, first.calls) == (True, 1000)
    assert (second.allowed, second.reason) == (False, "monthly_quota")


async def test_a_cap_of_ten_euros_on_starter_allows_exactly_200000_overage_calls(make_stores):
    stores = make_stores()
    [server] = await add_account(stores.uow, "u1", plan="starter")
    await stores.caps.set("u1", 10_000_000)
    await stores.meter.seed("u1", PERIOD, UsageCounts(calls=50_000 + 199_999))

    last = await stores.meter.admit("u1", server, PERIOD)
    refused = await stores.meter.admit("u1", server, PERIOD)

    assert (last.allowed, last.calls) == (True, 250_000)
    assert (refused.allowed, refused.reason) == (False, "budget_cap")


async def test_periods_and_users_are_counted_apart(make_stores):
    stores = make_stores(tiny_plans(included=1, rate=None))
    [a] = await add_account(stores.uow, "ua")
    [b] = await add_account(stores.uow, "ub")

    assert (await stores.meter.admit("ua", a, "2026-03")).allowed
    assert not (await stores.meter.admit("ua", a, "2026-03")).allowed
    assert (await stores.meter.admit("ua", a, "2026-04")).allowed
    assert (await stores.meter.admit("ub", b, "2026-03")).allowed
    assert await stores.meter.counts("ua", "2026-03") == UsageCounts(1, 1)
    assert await stores.meter.counts("nobody", "2026-03") == UsageCounts(0, 0)


async def test_servers_past_the_plan_limit_after_a_downgrade_are_refused(make_stores):
    stores = make_stores(tiny_plans(included=100, servers=2))
    oldest, second, newest = await add_account(stores.uow, "u1", plan="free", servers=3)

    verdicts = [await stores.meter.admit("u1", s, PERIOD) for s in (oldest, second, newest)]

    assert [v.allowed for v in verdicts] == [True, True, False]
    assert verdicts[2].reason == "plan_limit"
    assert (verdicts[2].server_limit, verdicts[2].active_servers) == (2, 3)
    assert await stores.meter.counts("u1", PERIOD) == UsageCounts(calls=2, blocked=1)


async def test_concurrent_calls_from_many_pools_never_pass_the_limit(make_stores):
    first = make_stores(tiny_plans(included=20, rate=50))
    [server] = await add_account(first.uow, "u1", plan="starter")
    await first.caps.set("u1", 500)  # 10 overage calls: the limit is 30
    meters = [make_stores(tiny_plans(included=20, rate=50)).meter for _ in range(4)]

    verdicts = await asyncio.gather(
        *(meters[i % 4].admit("u1", server, PERIOD) for i in range(120))
    )

    assert sum(v.allowed for v in verdicts) == 30
    assert sorted(v.calls for v in verdicts if v.allowed) == list(range(1, 31))
    assert await first.meter.counts("u1", PERIOD) == UsageCounts(calls=30, blocked=90)


async def test_concurrent_admits_in_one_process_each_get_their_own_count(make_stores):
    # Admits of one user arriving while its statement is in flight are counted together by
    # one statement (AdmissionCoalescer): every call still gets its own number, servers of
    # one user share the statement.
    stores = make_stores(tiny_plans(included=1_000, rate=50))
    servers = await add_account(stores.uow, "u1", plan="pro", servers=3)

    verdicts = await asyncio.gather(
        *(stores.meter.admit("u1", servers[i % 3], PERIOD) for i in range(150))
    )

    assert all(v.allowed and v.limit is None and v.plan == "pro" for v in verdicts)
    assert sorted(v.calls for v in verdicts) == list(range(1, 151))
    assert await stores.meter.counts("u1", PERIOD) == UsageCounts(calls=150, blocked=0)


async def test_concurrent_admits_in_one_process_near_the_limit_allow_exactly_the_limit(
    make_stores,
):
    # A group that does not fit as a whole falls back to one call at a time: the calls that
    # still fit are allowed, the others refused with their reason, none counted twice.
    stores = make_stores(tiny_plans(included=20, rate=50))
    [server] = await add_account(stores.uow, "u1", plan="starter")
    await stores.caps.set("u1", 500)  # the limit is 30
    await stores.meter.seed("u1", PERIOD, UsageCounts(calls=25))

    verdicts = await asyncio.gather(*(stores.meter.admit("u1", server, PERIOD) for _ in range(40)))

    assert sorted(v.calls for v in verdicts if v.allowed) == [26, 27, 28, 29, 30]
    assert {v.reason for v in verdicts if not v.allowed} == {"budget_cap"}
    assert await stores.meter.counts("u1", PERIOD) == UsageCounts(calls=30, blocked=35)
    assert (await stores.meter.admit("u1", server, PERIOD)).reason == "budget_cap"


async def test_concurrent_admits_of_many_users_are_each_counted_up_to_their_own_limit(
    make_stores,
):
    # The served adapters count the users of one event-loop step together (one transaction
    # on SQLite, one statement on PostgreSQL): each user's calls stay exact, near its limit
    # too, whatever the others do; a user whose period has no row yet gets one.
    stores = make_stores(tiny_plans(included=30, rate=None))
    users = [f"u{i}" for i in range(6)]
    servers = {user: (await add_account(stores.uow, user, plan="pro"))[0] for user in users}
    await stores.meter.seed("u1", PERIOD, UsageCounts(calls=25))  # 5 left
    for user in users[2:]:
        await stores.meter.seed(user, PERIOD, UsageCounts(calls=3))  # u0: no row yet

    calls = [user for _ in range(12) for user in users]
    verdicts = await asyncio.gather(*(stores.meter.admit(u, servers[u], PERIOD) for u in calls))

    for user in users:
        mine = [v for v, u in zip(verdicts, calls, strict=True) if u == user]
        start = {"u0": 0, "u1": 25}.get(user, 3)
        allowed = 5 if user == "u1" else 12
        assert sorted(v.calls for v in mine if v.allowed) == list(
            range(start + 1, start + allowed + 1)
        ), user
        assert [v.reason for v in mine if not v.allowed] == ["monthly_quota"] * (12 - allowed)
        counts = await stores.meter.counts(user, PERIOD)
        assert counts == UsageCounts(calls=start + allowed, blocked=12 - allowed), user


async def test_concurrent_admits_past_the_server_limit_are_decided_per_server(make_stores):
    stores = make_stores(tiny_plans(included=100, servers=2))
    oldest, second, newest = await add_account(stores.uow, "u1", plan="free", servers=3)

    verdicts = await asyncio.gather(
        *(stores.meter.admit("u1", s, PERIOD) for s in (oldest, second, newest) * 10)
    )

    assert [v.allowed for v in verdicts] == [True, True, False] * 10
    assert {v.reason for v in verdicts if not v.allowed} == {"plan_limit"}
    assert sorted(v.calls for v in verdicts if v.allowed) == list(range(1, 21))
    assert await stores.meter.counts("u1", PERIOD) == UsageCounts(calls=20, blocked=10)


@pytest.mark.postgres
@pytest.mark.parametrize(("durable", "expected"), [(False, "off"), (True, "on")])
async def test_the_meter_pool_waits_for_the_wal_flush_only_when_asked(
    migrated_postgres_url: str, durable: bool, expected: str
) -> None:
    pool = PostgresDriverPool.for_url(migrated_postgres_url, durable_commit=durable)
    assert pool is not None
    try:
        row = await pool.fetch_row("SELECT current_setting('synchronous_commit')")
    finally:
        await pool.close()

    assert row is not None and row[0] == expected


@pytest.mark.postgres
async def test_the_meter_pool_holds_at_most_its_size_and_replaces_closed_connections(
    migrated_postgres_url: str,
) -> None:
    pool = PostgresDriverPool.for_url(migrated_postgres_url)
    assert pool is not None
    try:
        # More statements at once than connections: the others wait for a release.
        rows = await asyncio.gather(
            *(pool.fetch_row("SELECT pg_backend_pid(), pg_sleep(0.01)") for _ in range(12))
        )
        pids = {row[0] for row in rows if row is not None}
        assert 1 <= len(pids) <= METER_POOL_SIZE

        # Connections the server closed (a restart) are replaced on their next use.
        other = await asyncpg.connect(
            make_url(migrated_postgres_url).set(drivername="postgresql").render_as_string(False)
        )
        try:
            for pid in pids:
                await other.execute("SELECT pg_terminate_backend($1)", pid)
        finally:
            await other.close()
        await asyncio.sleep(0.1)
        row = await pool.fetch_row("SELECT pg_backend_pid()")
        assert row is not None and row[0] not in pids

        # A statement PostgreSQL refuses leaves the connection usable.
        with pytest.raises(asyncpg.PostgresError):
            await pool.fetch_row("SELECT 1 / 0")
        again = await pool.fetch_row("SELECT pg_backend_pid()")
        assert again is not None and again[0] == row[0]

        # Closed, the pool opens new connections for a later call.
        await pool.close()
        reopened = await pool.fetch_row("SELECT 1")
        assert reopened is not None and reopened[0] == 1
    finally:
        await pool.close()

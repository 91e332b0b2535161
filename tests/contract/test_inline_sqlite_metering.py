"""The served SQLite stores (meter and request logs written inline, on the event loop's thread):
the admits of many users in one event-loop step are counted exactly, in one transaction, near
their limits too; while another process holds the database's write lock nothing is lost and
nothing is counted twice; a large backlog of log rows is written whole."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from adapters.persistence.sql import create_sql_engine
from adapters.persistence.sql.inline_sqlite import InlineSqlite
from application.ports.metering import UsageCounts
from domain.logs.request_log import LogFilter
from tests.contract.conftest import migrated_sql_url
from tests.contract.test_request_log_store import row
from tests.support.metering_stores import T0, MeteringStores, add_account, sql_stores
from tests.support.scaled_plans import scaled_plan

PERIOD = "2026-03"


@pytest.fixture
async def served(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[MeteringStores]:
    """The meter and log store as `specmcp serve` builds them on a SQLite file (`database`),
    with plans of 30 included calls (no overage: free's rules) and users u1 (pro), u2-u5."""
    url = migrated_sql_url(request, tmp_path, "sqlite")
    request.node.database = make_url(url).database
    engine = create_sql_engine(url)
    inline = InlineSqlite.for_url(url)
    assert inline is not None
    stores = sql_stores(engine, lambda plan: scaled_plan(plan, 30, None, 10), inline=inline)
    for user in ("u1", "u2", "u3", "u4", "u5"):
        await add_account(stores.uow, user, plan="pro")
    try:
        yield stores
    finally:
        inline.dispose()
        await engine.dispose()


@contextmanager
def write_lock(request: pytest.FixtureRequest) -> Iterator[sqlite3.Connection]:
    """Another process's write transaction on the test's file (open until the block ends)."""
    database = request.node.database
    other = sqlite3.connect(database, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        yield other
    finally:
        if other.in_transaction:
            other.execute("COMMIT")
        other.close()


def _release_after(connection: sqlite3.Connection, seconds: float) -> None:
    asyncio.get_running_loop().call_later(seconds, connection.execute, "COMMIT")


async def test_admits_of_many_users_in_one_step_are_each_counted_up_to_their_limit(
    served: MeteringStores,
) -> None:
    await served.meter.seed("u2", PERIOD, UsageCounts(calls=25))  # 5 left
    users = ["u1", "u2", "u3", "u4", "u5"]

    verdicts = await asyncio.gather(
        *(served.meter.admit(user, f"{user}-srv-0", PERIOD) for _ in range(12) for user in users)
    )

    for index, user in enumerate(users):
        mine = verdicts[index :: len(users)]
        allowed = sorted(v.calls for v in mine if v.allowed)
        start = 26 if user == "u2" else 1
        assert allowed == list(range(start, start + (5 if user == "u2" else 12))), user
        assert [v.reason for v in mine if not v.allowed] == (
            ["monthly_quota"] * 7 if user == "u2" else []
        )
        counts = await served.meter.counts(user, PERIOD)
        assert (counts.calls, counts.blocked) == ((30, 7) if user == "u2" else (12, 0))


@pytest.mark.parametrize("held_s", [0.003, 0.2])  # within the inline retries; past them
async def test_admits_made_while_another_process_writes_are_counted_once_it_is_done(
    served: MeteringStores, held_s: float, request: pytest.FixtureRequest
) -> None:
    with write_lock(request) as other:
        _release_after(other, held_s)
        verdicts = await asyncio.gather(
            *(served.meter.admit(user, f"{user}-srv-0", PERIOD) for user in ("u1", "u2") * 20)
        )

    for user in ("u1", "u2"):
        mine = [v for v, u in zip(verdicts, ("u1", "u2") * 20, strict=True) if u == user]
        assert sorted(v.calls for v in mine if v.allowed) == list(range(1, 21))
        assert (await served.meter.counts(user, PERIOD)).calls == 20


@pytest.mark.parametrize("held_s", [0.0, 0.03, 0.3])
async def test_a_large_log_batch_is_written_whole_even_while_another_process_writes(
    served: MeteringStores, held_s: float, request: pytest.FixtureRequest
) -> None:
    rows = [row() for _ in range(1_050)]  # the sink hands over all that waited, at once
    with write_lock(request) as other:
        if held_s:
            _release_after(other, held_s)
        else:
            other.execute("COMMIT")
        await served.logs.add_many(rows)
    await served.logs.add_many(rows[:300])  # written again after a failure: no duplicates

    listed = await served.logs.page("u1-srv-0", LogFilter(), after=None, not_before=T0, limit=2_000)
    assert sorted(r.id for r in listed) == sorted(r.id for r in rows)

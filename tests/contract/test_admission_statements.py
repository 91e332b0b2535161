"""The two common-case statements agree: where the period's row exists, `counting_update`
counts and answers exactly as `admission_statement`; without the row it counts nothing.

Run on SQLite, where the inline meter tries the UPDATE first, over every combination of plan
(with and without overage, servers limited or not, an unknown id), cap, active servers,
counter and number of calls; each statement runs in a transaction that is rolled back.
"""

from __future__ import annotations

import itertools
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy.dialects import sqlite

from adapters.persistence.sql.admission_statement import admission_statement, counting_update
from adapters.persistence.sql.driver_statement import DriverStatement
from domain.metering.plans import Plan, plan_named
from tests.support.scaled_plans import scaled_plan

PERIOD = "2026-03"
_TINY = {"free": (3, None, 2), "starter": (3, 50, 2), "pro": (5, 50, None)}
"""Plan id: (included calls, overage micro-euros per call, active servers)."""


def _plans(plan_id: str) -> Plan:
    return scaled_plan(plan_id, *_TINY[plan_named(plan_id).id])


def _statement(build) -> DriverStatement:  # type: ignore[no-untyped-def]
    return DriverStatement.compile(build(_plans, list(_TINY)), sqlite.dialect())


UPSERT = _statement(admission_statement)
UPDATE = _statement(counting_update)


@pytest.fixture
def database(request: pytest.FixtureRequest, tmp_path: Path) -> sqlite3.Connection:
    from tests.contract.conftest import migrated_sql_url

    url = migrated_sql_url(request, tmp_path, "sqlite")
    connection = sqlite3.connect(url.split("///", 1)[1], isolation_level=None)
    yield connection
    connection.close()


def _account(
    connection: sqlite3.Connection, plan: str, cap: int | None, active: int, calls: int | None
) -> None:
    """User u1 (foreign keys are off on this connection: no spec needed for its servers)."""
    moment = "2026-03-01 00:00:00.000000"
    connection.execute(
        "INSERT INTO users (id, plan, created_at, updated_at) VALUES ('u1', ?, ?, ?)",
        (plan, moment, moment),
    )
    if cap is not None:
        connection.execute("INSERT INTO budget_caps VALUES ('u1', ?)", (cap,))
    for number, is_active in enumerate([True] * active + [False]):
        connection.execute(
            "INSERT INTO servers (id, owner_id, spec_id, name, slug, endpoint_id, token_digest,"
            " auth_mode, auth_config, base_url, rate_limit_per_minute, is_active, created_at,"
            " updated_at) VALUES (?, 'u1', 'spec', 'n', ?, ?, 'd', 'none', '{}', 'https://x',"
            " 60, ?, ?, ?)",
            (f"s{number}", f"s{number}", f"e{number}", is_active, moment, moment),
        )
    if calls is not None:
        connection.execute("INSERT INTO usage_counters VALUES ('u1', ?, ?, 0)", (PERIOD, calls))


def _run(
    connection: sqlite3.Connection, statement: DriverStatement, state: tuple, count: int
) -> tuple[list[tuple], list[tuple]]:
    """The statement's rows and the counters after it, on `state`; then rolled back."""
    connection.execute("BEGIN IMMEDIATE")
    try:
        _account(connection, *state)
        arguments = statement.arguments({"user_id": "u1", "period": PERIOD, "count": count})
        rows = connection.execute(statement.sql, arguments).fetchall()
        counters = connection.execute("SELECT * FROM usage_counters").fetchall()
    finally:
        connection.execute("ROLLBACK")
    return rows, counters


def test_the_update_counts_and_answers_as_the_upsert_where_the_row_exists(database) -> None:
    plans = ["free", "starter", "pro", "retired"]
    caps = [None, 0, 100]  # 100 micro-euros: 2 overage calls at 50
    for plan, cap, active, calls, count in itertools.product(
        plans, caps, [0, 2, 3], [0, 2, 3, 4, 5, 7], [1, 2]
    ):
        state = (plan, cap, active, calls)
        assert _run(database, UPDATE, state, count) == _run(database, UPSERT, state, count), state


def test_the_update_counts_nothing_without_the_periods_row(database) -> None:
    for plan in ["free", "pro"]:
        rows, counters = _run(database, UPDATE, (plan, None, 1, None), 1)
        assert rows == [] and counters == []
        rows, counters = _run(database, UPSERT, (plan, None, 1, None), 1)
        assert rows == [(1, plan, 3 if plan == "free" else 2**62)]
        assert counters == [("u1", PERIOD, 1, 0)]

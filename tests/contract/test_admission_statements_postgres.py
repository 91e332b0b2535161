"""PostgreSQL: `counting_update_many` counts and answers for each user whose period row exists
exactly as `admission_statement` (what the meter runs for one user) does for that user alone,
and counts nothing for a user without the row; over every combination of plan (with and without
overage, servers limited or not, an unknown id), cap, active servers, counter (no row too) and
number of calls, all the users in one statement. Each run is a transaction rolled back."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime
from typing import Any

import asyncpg
import pytest
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import make_url

from adapters.persistence.sql.admission_statement import (
    admission_statement,
    counting_update_many,
)
from adapters.persistence.sql.driver_statement import DriverStatement
from domain.metering.plans import Plan, plan_named
from tests.support.scaled_plans import scaled_plan

pytestmark = pytest.mark.postgres

PERIOD = "2026-03"
_TINY = {"free": (3, None, 2), "starter": (3, 50, 2), "pro": (5, 50, None)}
"""Plan id: (included calls, overage micro-euros per call, active servers)."""


def _plans(plan_id: str) -> Plan:
    return scaled_plan(plan_id, *_TINY[plan_named(plan_id).id])


def _statement(build: Any) -> DriverStatement:
    return DriverStatement.compile(build(_plans, list(_TINY)), postgresql.asyncpg.dialect())


ONE = _statement(admission_statement)
MANY = _statement(counting_update_many)
STATES = list(
    itertools.product(
        ["free", "starter", "pro", "retired"],
        [None, 0, 100],
        [0, 2, 3],
        [None, 0, 2, 3, 5, 7],
        [1, 2],
    )
)
"""(plan, cap, active servers, calls so far or None for no row, calls asked for)."""


async def _accounts(connection: asyncpg.Connection) -> None:
    """User u<i> in STATES[i]'s state (foreign keys unchecked: no specs for the servers)."""
    await connection.execute("SET LOCAL session_replication_role = replica")
    moment = datetime(2026, 3, 1, tzinfo=UTC)
    for index, (plan, cap, active, calls, _count) in enumerate(STATES):
        user = f"u{index}"
        await connection.execute(
            "INSERT INTO users (id, plan, created_at, updated_at) VALUES ($1, $2, $3, $3)",
            user,
            plan,
            moment,
        )
        if cap is not None:
            await connection.execute("INSERT INTO budget_caps VALUES ($1, $2)", user, cap)
        for number, is_active in enumerate([True] * active + [False]):
            await connection.execute(
                "INSERT INTO servers (id, owner_id, spec_id, name, slug, endpoint_id, token_digest,"
                " auth_mode, auth_config, base_url, rate_limit_per_minute, is_active, created_at,"
                " updated_at) VALUES ($1, $2, 'spec', 'n', $1, $1, 'd', 'none', '{}',"
                " 'https://x', 60, $3, $4, $4)",
                f"{user}-s{number}",
                user,
                is_active,
                moment,
            )
        if calls is not None:
            await connection.execute(
                "INSERT INTO usage_counters VALUES ($1, $2, $3, 0)", user, PERIOD, calls
            )


async def _counters(connection: asyncpg.Connection) -> dict[str, tuple[int, int]]:
    rows = await connection.fetch("SELECT user_id, calls, blocked FROM usage_counters")
    return {row[0]: (row[1], row[2]) for row in rows}


class _RollBack(Exception):
    pass


async def test_one_statement_for_every_user_counts_as_each_users_own(
    migrated_postgres_url: str,
) -> None:
    url = make_url(migrated_postgres_url).set(drivername="postgresql")
    connection = await asyncpg.connect(url.render_as_string(hide_password=False))
    try:
        found: dict[str, Any] = {}
        with pytest.raises(_RollBack):
            async with connection.transaction():
                await _accounts(connection)
                rows = await connection.fetch(
                    MANY.sql,
                    [f"u{i}" for i in range(len(STATES))],
                    [PERIOD] * len(STATES),
                    [state[4] for state in STATES],
                )
                found["many"] = {row[0]: tuple(row[2:]) for row in rows}
                assert all(row[1] == PERIOD for row in rows)
                found["many counters"] = await _counters(connection)
                raise _RollBack
        with pytest.raises(_RollBack):
            async with connection.transaction():
                await _accounts(connection)
                alone = {}
                for index, state in enumerate(STATES):
                    if state[3] is None:
                        continue  # the upsert would make the row: `many` must leave it alone
                    values = {"user_id": f"u{index}", "period": PERIOD, "count": state[4]}
                    row = await connection.fetchrow(ONE.sql, *ONE.arguments(values))
                    if row is not None:
                        alone[f"u{index}"] = tuple(row)
                found["alone"] = alone
                found["alone counters"] = await _counters(connection)
                raise _RollBack
    finally:
        await connection.close()

    assert found["many"] == found["alone"]
    assert found["many counters"] == found["alone counters"]
    assert 0 < len(found["alone"]) < len(STATES)  # both outcomes were tried

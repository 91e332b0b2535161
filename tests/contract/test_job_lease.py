"""One contract for every JobLease adapter: a job runs once per period among its sharers.

Each fixture yields two leases sharing one store, as two processes would (the memory adapter
is one process, so both are the same object).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from adapters.coordination.file_job_lease import FileJobLease
from adapters.coordination.memory_job_lease import MemoryJobLease
from adapters.coordination.postgres_job_lease import PostgresJobLease
from adapters.persistence.sql import create_sql_engine


@pytest.fixture(params=["memory", "file", pytest.param("postgres", marks=pytest.mark.postgres)])
async def leases(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[tuple[Any, Any]]:
    if request.param == "memory":
        shared = MemoryJobLease()
        yield shared, shared
        return
    if request.param == "file":
        yield FileJobLease(tmp_path / "jobs.json"), FileJobLease(tmp_path / "jobs.json")
        return
    make: Callable[[], str] = request.getfixturevalue("make_postgres_database")
    url = make()
    engines = [create_sql_engine(url), create_sql_engine(url)]
    pair = (PostgresJobLease(engines[0]), PostgresJobLease(engines[1]))
    try:
        yield pair
    finally:
        for lease in pair:
            await lease.aclose()
        for engine in engines:
            await engine.dispose()


async def test_one_claim_per_job_and_slot_among_sharers(leases):
    first, second = leases
    assert await first.claim("purge", 100) is True
    assert await second.claim("purge", 100) is False
    assert await first.claim("purge", 100) is False


async def test_the_next_slot_is_claimed_once_again(leases):
    first, second = leases
    assert await first.claim("purge", 100)
    assert await second.claim("purge", 101) is True
    assert await first.claim("purge", 101) is False


async def test_jobs_are_claimed_apart(leases):
    first, second = leases
    assert await first.claim("purge", 7)
    assert await second.claim("billing", 7)


async def test_concurrent_claims_of_one_slot_have_one_winner(leases):
    first, second = leases
    results = await asyncio.gather(*(lease.claim("race", 5) for lease in (first, second) * 5))
    assert results.count(True) == 1


@pytest.mark.postgres
async def test_a_postgres_holder_that_goes_away_frees_its_slot(make_postgres_database):
    url = make_postgres_database()
    engines = [create_sql_engine(url), create_sql_engine(url)]
    first, second = PostgresJobLease(engines[0]), PostgresJobLease(engines[1])
    try:
        assert await first.claim("purge", 1)
        await first.aclose()  # the process died: its session and locks are gone
        assert await second.claim("purge", 1)
        async with engines[0].connect() as connection:
            held = await connection.execute(
                text(
                    "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND database ="
                    " (SELECT oid FROM pg_database WHERE datname = current_database())"
                )
            )
            assert held.scalar_one() == 1  # the survivor's only; nothing leaked into the pool
    finally:
        await second.aclose()
        for engine in engines:
            await engine.dispose()

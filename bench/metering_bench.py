"""Metering and logs benchmark on PostgreSQL: log pages over 1,000,000 rows, and the cost of
metering and logging on the tool-call path.

Run: `uv run python bench/metering_bench.py [--rows N] [--calls N] [--reps N]`.
Needs PostgreSQL at SPECMCP_TEST_POSTGRES_URL (an admin URL; throwaway databases are created
and dropped). Targets: first and 100th page < 20 ms; metered calls at most 15% slower.
The call-path part is bench/call_path_bench.py's machinery (served processes, MCP client) with
`--database postgres --metering both`; `just bench` also runs it on SQLite.
"""

from __future__ import annotations

import argparse
import asyncio
import secrets
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import call_path_bench  # bench/ is on sys.path: this file's folder
from sqlalchemy import text
from sqlalchemy.engine import make_url

from adapters.persistence.sql import create_sql_engine, migrate
from adapters.persistence.sql.request_log_store import SqlRequestLogStore
from domain.logs.log_cursor import LogCursor
from domain.logs.request_log import LogFilter

ADMIN_URL = call_path_bench.ADMIN_URL
SERVER = "00000000-0000-4000-8000-000000000001"
GENERATE = f"""
INSERT INTO request_logs (id, owner_id, server_id, tool_id, tool_name, source, request_id,
  method, path, status_code, duration_ms, upstream_ms, is_error, blocked, request_headers,
  created_at)
SELECT md5(i::text)::uuid::text, 'bench-user',
  CASE WHEN i % 4 = 0 THEN 'other-server' ELSE '{SERVER}' END,
  'tool', 'listPets', 'mcp', md5(i::text), 'GET', '/pets', 200, 10 + i % 50, 8, false, false,
  '[]', now() - (i || ' milliseconds')::interval
FROM generate_series(1, :rows) AS i
"""


_admin = call_path_bench._admin


async def log_pages(url: str, rows: int, reps: int) -> dict[str, float]:
    engine = create_sql_engine(url)
    try:
        async with engine.begin() as connection:
            await connection.execute(text(GENERATE), {"rows": rows})
        async with engine.connect() as connection:
            await connection.execute(text("ANALYZE request_logs"))
            await connection.commit()
        store = SqlRequestLogStore(engine)
        floor = (await _now(engine)) - timedelta(days=30)

        async def page(after: LogCursor | None) -> tuple[float, LogCursor]:
            started = time.perf_counter()
            found = await store.page(SERVER, LogFilter(), after=after, not_before=floor, limit=51)
            elapsed = (time.perf_counter() - started) * 1000
            return elapsed, LogCursor(found[49].created_at, found[49].id)

        firsts, hundredths = [], []
        for _ in range(reps):
            elapsed, cursor = await page(None)
            firsts.append(elapsed)
            for _ in range(98):
                _, cursor = await page(cursor)
            elapsed, _ = await page(cursor)
            hundredths.append(elapsed)
        return {"first": statistics.median(firsts), "hundredth": statistics.median(hundredths)}
    finally:
        await engine.dispose()


async def _now(engine: object) -> object:
    from datetime import UTC, datetime

    return datetime.now(UTC)


def _call_path_args(args: argparse.Namespace) -> argparse.Namespace:
    """bench/call_path_bench.py's options for metering on vs off on PostgreSQL, MCP only."""
    return argparse.Namespace(
        rounds=args.reps,
        warmup=100,
        sequential=args.sequential,
        callers=20,
        total=args.calls,
        modes=["2026"],
        skip_fastmcp=True,
        metering="both",
        database="postgres",
        json=None,
        py_spy=None,
        done_rounds=[],
        capacity_seconds=args.capacity_seconds,
        users=args.users,
    )


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--calls", type=int, default=2_000)
    parser.add_argument("--sequential", type=int, default=300)
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument(
        "--capacity-seconds",
        type=float,
        default=5.0,
        help="seconds of call_path_bench's server-bound phase per server and round (0: none)",
    )
    parser.add_argument(
        "--users",
        type=int,
        default=1,
        help="users sharing the server-bound phase (see call_path_bench.py --users)",
    )
    args = parser.parse_args()
    if args.rows * 3 // 4 < 100 * 50:
        # The 100th page of 50 needs 5,000 rows on the listed server (3/4 of the rows).
        parser.error("--rows must be at least 6,667 (the 100th page of 50 rows must exist)")
    name = f"specmcp_bench_{secrets.token_hex(4)}"
    await _admin(f'CREATE DATABASE "{name}"')
    url = make_url(ADMIN_URL).set(database=name).render_as_string(False)
    try:
        await migrate(url)
        pages = await log_pages(url, args.rows, args.reps)
        print(
            f"logs over {args.rows:,} rows: first page {pages['first']:.2f} ms, "
            f"100th page {pages['hundredth']:.2f} ms (median of {args.reps}; target < 20 ms)"
        )
    finally:
        await _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    # Metered vs unmetered tool calls: two `specmcp serve` processes on PostgreSQL (one with
    # SPECMCP_METERING=off), a local upstream process, the official MCP client from here;
    # throughput at 20 callers and server CPU per call, then the server-bound phase (each
    # server alone on one CPU, the lean load generator on the other), alternated rounds.
    await call_path_bench._run(_call_path_args(args))


if __name__ == "__main__":
    asyncio.run(main())

"""Metering and logs benchmark on PostgreSQL: log pages over 1,000,000 rows, and the cost of
metering and logging on the tool-call path.

Run: `uv run python bench/metering_bench.py [--rows N] [--calls N] [--reps N]`.
Needs PostgreSQL at SPECMCP_TEST_POSTGRES_URL (an admin URL; a throwaway database is created
and dropped). Targets: first and 100th page < 20 ms; metered calls at most 15% slower.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import asyncpg
import msgspec
from sqlalchemy import text
from sqlalchemy.engine import make_url

from adapters.identity.dev_identity_verifier import mint_dev_token
from adapters.persistence.sql import create_sql_engine, migrate
from adapters.persistence.sql.request_log_store import SqlRequestLogStore
from adapters.vault.keyring_config import generate_key_entry
from domain.logs.log_cursor import LogCursor
from domain.logs.request_log import LogFilter
from entrypoints.config import Settings
from entrypoints.container import build_container
from tests.support.documents import petstore
from tests.support.threaded_upstream import threaded_upstream
from tests.support.upstream_server import ReceivedRequest, Reply

ADMIN_URL = os.environ.get(
    "SPECMCP_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
)
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


async def _admin(statement: str) -> None:
    dsn = make_url(ADMIN_URL).set(drivername="postgresql").render_as_string(False)
    connection = await asyncpg.connect(dsn)
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


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


def _pets(_: ReceivedRequest) -> Reply:
    return Reply(200, {"content-type": "application/json"}, b'[{"id": 1, "name": "Rex"}]')


async def call_throughput(
    url: str, calls: int, reps: int, concurrency: int = 20
) -> dict[str, float]:
    """Calls/s through the test route (auth, catalog, gate, upstream, log row), metering on
    and off (SPECMCP_METERING), two apps on the same database, runs alternated."""
    from litestar.testing import AsyncTestClient

    from entrypoints.http.app import create_app

    secret = secrets.token_urlsafe(32)
    settings = Settings(
        database_url=url,
        identity="dev",
        dev_token_secret=secret,
        vault_keys=generate_key_entry("k1"),
        outbound_allow_cidrs=("127.0.0.0/8",),
        auto_migrate=False,
        api_rate_limit=1_000_000,
    )
    headers = {"Authorization": f"Bearer {mint_dev_token('bench', secret, timedelta(hours=1))}"}
    on_app = create_app(build_container(settings))
    off_app = create_app(build_container(msgspec.structs.replace(settings, metering=False)))
    with threaded_upstream(_pets) as upstream:
        async with AsyncTestClient(on_app) as on, AsyncTestClient(off_app) as off:
            spec = (
                await on.post(
                    "/api/specs", json={"name": "p", "rawSpec": petstore()}, headers=headers
                )
            ).json()["data"]
            created = await on.post(
                f"/api/specs/{spec['id']}/servers",
                headers=headers,
                json={
                    "name": "p",
                    "slug": "pets",
                    "authMode": "none",
                    "baseUrl": upstream.url,
                },
            )
            assert created.status_code == 201, created.text
            server = created.json()["data"]
            engine = create_sql_engine(url)  # the apps' engines live on their own loop
            async with engine.begin() as connection:
                await connection.execute(text("UPDATE users SET plan = 'pro' WHERE id = 'bench'"))
            await engine.dispose()
            route = f"/api/servers/{server['id']}/test"
            body = {"toolName": "listPets", "arguments": {"limit": 1}}

            async def run(client: AsyncTestClient) -> float:  # type: ignore[type-arg]
                queue = iter(range(calls))

                async def worker() -> None:
                    for _ in queue:
                        answer = await client.post(route, json=body, headers=headers)
                        assert answer.status_code == 200, answer.text

                started = time.perf_counter()
                await asyncio.gather(*(worker() for _ in range(concurrency)))
                return calls / (time.perf_counter() - started)

            await run(off)  # warm pools and caches
            await run(on)
            offs, ons = [], []
            for _ in range(reps):  # alternated, so drift hits both alike
                offs.append(await run(off))
                ons.append(await run(on))
    return {"off": statistics.median(offs), "on": statistics.median(ons)}


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--calls", type=int, default=2_000)
    parser.add_argument("--reps", type=int, default=5)
    args = parser.parse_args()
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
        rates = await call_throughput(url, args.calls, args.reps)
        slower = (1 - rates["on"] / rates["off"]) * 100
        print(
            f"tool calls/s: metering off {rates['off']:.0f}, on {rates['on']:.0f} "
            f"({slower:+.1f}% slower; target <= 15%)"
        )
    finally:
        await _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    asyncio.run(main())

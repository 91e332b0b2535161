"""The key metering test: 4 `specmcp serve` processes on one database, 400 concurrent calls.

A starter user with a cap just above zero and a counter seeded near the limit calls one tool
200 times through the HTTP test route and 200 times through the MCP endpoint, spread over the
workers. Exactly the limit is allowed, every other call is refused with reason `budget_cap`,
the upstream sees exactly the allowed calls, and usage and logs agree with it after a clean
shutdown (which must flush every buffered log row).
"""

from __future__ import annotations

import asyncio
import itertools
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from adapters.identity.dev_identity_verifier import mint_dev_token
from adapters.persistence.sql import create_sql_engine, migrate
from adapters.persistence.sql.usage_meter import SqlUsageMeter
from adapters.vault.keyring_config import generate_key_entry
from application.ports.metering import UsageCounts
from domain.metering.gate import period_of
from tests.contract.conftest import (  # noqa: F401  (fixtures)
    make_postgres_database,
    postgres_admin_url,
    run_outside_loop,
)
from tests.mcp.clients import mcp_client
from tests.support.documents import petstore
from tests.support.threaded_upstream import threaded_upstream
from tests.support.upstream_server import ReceivedRequest, Reply, UpstreamServer

WORKERS = 4
HTTP_CALLS = 200
MCP_CALLS = 200
MCP_CLIENTS = 20
SEEDED = 50_100
CAP_EUR = 0.01  # 200 overage calls at EUR 0.00005: the limit is 50,200
ALLOWED = 50_000 + 200 - SEEDED
SECRET = "dev-secret-for-the-concurrency-test-0123456789"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _pets(_: ReceivedRequest) -> Reply:
    return Reply(200, {"content-type": "application/json"}, b'[{"id": 1, "name": "Rex"}]')


@pytest.fixture
def upstream() -> Iterator[UpstreamServer]:
    with threaded_upstream(_pets) as server:
        yield server


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path / 'specmcp.db'}"
    else:
        make: Callable[[], str] = request.getfixturevalue("make_postgres_database")
        url = make()
    run_outside_loop(migrate(url))
    return url


class Workers:
    """`specmcp serve` processes on one database; stopped with SIGTERM (a clean shutdown)."""

    def __init__(self, url: str, workdir: Path, count: int) -> None:
        self.env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("SPECMCP_", "CLERK_", "DATABASE_URL", "STRIPE_"))
        }
        self.env |= {
            "DATABASE_URL": url,
            "SPECMCP_VAULT_KEYS": generate_key_entry("k1"),
            "SPECMCP_OUTBOUND_ALLOW_CIDRS": "127.0.0.0/8",
            "SPECMCP_IDENTITY": "dev",
            "SPECMCP_DEV_TOKEN_SECRET": SECRET,
            "SPECMCP_API_RATE_LIMIT": "1000000",
            "SPECMCP_AUTO_MIGRATE": "false",
        }
        self.workdir = workdir
        self.bases: list[str] = []
        self.procs: list[subprocess.Popen[str]] = []
        for _ in range(count):
            self.start()

    def start(self) -> str:
        port = _free_port()
        self.procs.append(
            subprocess.Popen(
                [sys.executable, "-m", "entrypoints.cli.main", "serve", "--port", str(port)],
                cwd=self.workdir,
                env=self.env,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
            )
        )
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                    self.bases.append(base)
                    return base
            except httpx.HTTPError:
                time.sleep(0.1)
        raise AssertionError(f"serve did not start: {self.stop_all()}")

    def stop_all(self) -> str:
        output = []
        for proc in self.procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in self.procs:
            try:
                output.append(proc.communicate(timeout=30)[0] or "")
            except subprocess.TimeoutExpired:
                proc.kill()
                output.append(proc.communicate()[0] or "")
        self.procs, self.bases = [], []
        return "\n".join(output)


def _headers() -> dict[str, str]:
    token = mint_dev_token("racer", SECRET, timedelta(minutes=30))
    return {"Authorization": f"Bearer {token}"}


def _setup(base: str, upstream_url: str) -> dict[str, Any]:
    headers = _headers()
    spec = httpx.post(
        f"{base}/api/specs",
        json={"name": "Pets", "rawSpec": petstore()},
        headers=headers,
        timeout=30,
    )
    assert spec.status_code == 201, spec.text
    server = httpx.post(
        f"{base}/api/specs/{spec.json()['data']['id']}/servers",
        json={"name": "Pets", "slug": "pets", "authMode": "none", "baseUrl": upstream_url},
        headers=headers,
        timeout=30,
    )
    assert server.status_code == 201, server.text
    cap = httpx.put(f"{base}/api/billing/budget", json={"capEur": CAP_EUR}, headers=headers)
    assert cap.json()["data"] == {"capEur": CAP_EUR}
    return dict(server.json()["data"])


async def _seed(url: str) -> None:
    engine = create_sql_engine(url)
    try:
        async with engine.begin() as connection:
            await connection.execute(text("UPDATE users SET plan = 'starter' WHERE id = 'racer'"))
        await SqlUsageMeter(engine).seed(
            "racer", period_of(datetime.now(UTC)), UsageCounts(calls=SEEDED)
        )
    finally:
        await engine.dispose()


async def _http_calls(bases: list[str], server_id: str) -> list[httpx.Response]:
    headers = _headers()
    limits = httpx.Limits(max_connections=HTTP_CALLS)
    async with httpx.AsyncClient(timeout=60, limits=limits, headers=headers) as client:
        return await asyncio.gather(
            *(
                client.post(
                    f"{bases[i % len(bases)]}/api/servers/{server_id}/test",
                    json={"toolName": "listPets", "arguments": {"limit": 1}},
                )
                for i in range(HTTP_CALLS)
            )
        )


async def _mcp_calls(bases: list[str], endpoint_id: str, token: str) -> list[Any]:
    """Each outcome: "ok", or the refusal's `data.reason`."""

    async def one_client(index: int) -> list[Any]:
        url = f"{bases[index % len(bases)]}/mcp/{endpoint_id}"
        outcomes: list[Any] = []
        async with mcp_client(url, token) as client:
            for _ in range(MCP_CALLS // MCP_CLIENTS):
                try:
                    result = await client.call_tool("listPets", {"limit": 1})
                    outcomes.append("ok" if not result.is_error else result)
                except Exception as error:  # the SDK raises the JSON-RPC error
                    data = getattr(getattr(error, "error", None), "data", None) or getattr(
                        error, "data", None
                    )
                    code = getattr(getattr(error, "error", None), "code", None) or getattr(
                        error, "code", None
                    )
                    outcomes.append((code, (data or {}).get("reason")))
        return outcomes

    groups = await asyncio.gather(*(one_client(i) for i in range(MCP_CLIENTS)))
    return list(itertools.chain.from_iterable(groups))


def _all_logs(base: str, server_id: str) -> list[dict[str, Any]]:
    rows, cursor = [], None
    while True:
        params: dict[str, Any] = {"limit": 200} | ({"cursor": cursor} if cursor else {})
        page = httpx.get(
            f"{base}/api/servers/{server_id}/logs", params=params, headers=_headers(), timeout=30
        ).json()
        rows += page["data"]
        cursor = page["meta"]["cursor"]
        if cursor is None:
            return rows


def test_allowed_calls_never_pass_the_limit_across_worker_processes(
    database_url: str, upstream: UpstreamServer, tmp_path: Path
) -> None:
    workers = Workers(database_url, tmp_path, WORKERS)
    try:
        server = _setup(workers.bases[0], upstream.url)
        run_outside_loop(_seed(database_url))

        async def both() -> tuple[list[httpx.Response], list[Any]]:
            return await asyncio.gather(
                _http_calls(workers.bases, server["id"]),
                _mcp_calls(workers.bases, server["endpointId"], server["token"]),
            )

        http_answers, mcp_outcomes = run_outside_loop(both())
    finally:
        shutdown_output = workers.stop_all()

    http_ok = [r for r in http_answers if r.status_code == 200]
    http_refused = [r for r in http_answers if r.status_code != 200]
    mcp_ok = [o for o in mcp_outcomes if o == "ok"]
    mcp_refused = [o for o in mcp_outcomes if o != "ok"]
    assert len(http_ok) + len(mcp_ok) == ALLOWED, shutdown_output[-3000:]
    assert all(r.status_code == 429 for r in http_refused)
    assert {r.json()["error"]["details"]["reason"] for r in http_refused} == {"budget_cap"}
    assert all("retry-after" in r.headers for r in http_refused)
    assert set(mcp_refused) == {(-32003, "budget_cap")}
    assert len(upstream.received) == ALLOWED

    # After a clean shutdown every log row is in the database: check through a fresh worker.
    workers = Workers(database_url, tmp_path, 1)
    try:
        usage = httpx.get(f"{workers.bases[0]}/api/usage", headers=_headers()).json()["data"]
        rows = _all_logs(workers.bases[0], server["id"])
    finally:
        workers.stop_all()
    blocked = HTTP_CALLS + MCP_CALLS - ALLOWED
    assert usage["requestsThisMonth"] == SEEDED + ALLOWED
    assert usage["blockedRequests"] == blocked
    assert usage["overageRequests"] == 200 and usage["budgetRemainingEur"] == 0
    assert usage["byServer"][0]["requests"] == ALLOWED == len(upstream.received)
    assert len(rows) == HTTP_CALLS + MCP_CALLS
    assert sum(not r["blocked"] for r in rows) == ALLOWED
    assert sum(r["blocked"] and r["statusCode"] == 429 for r in rows) == blocked
    assert {r["source"] for r in rows} == {"test", "mcp"}

"""Two `specmcp serve` instances on one PostgreSQL and one Redis behave as one service.

MCP calls spread over both instances obey one per-server rate limit and one metering gate
exactly; a credential deleted through one instance is not used by the other from the very next
call; the periodic purge runs once per period across both; both instances' metrics add up to the
calls made; every log line is one JSON object and request lines carry the request id.
"""

from __future__ import annotations

import json
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
import redis
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import text

from adapters.coordination.postgres_job_lease import _job_key
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

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

REDIS_URL = os.environ.get("SPECMCP_TEST_MULTI_REDIS_URL", "redis://127.0.0.1:6379/13")
SECRET = "dev-secret-for-the-multi-instance-test-0123456789"
USER = "multi"
RATE_LIMIT = 10
FREE_QUOTA = 1000
LEFT_IN_QUOTA = 5


def _redis_required() -> bool:
    ci = os.environ.get("CI", "").strip().lower()
    return ci not in ("", "0", "false", "no") or os.environ.get("SPECMCP_REQUIRE_REDIS") == "1"


@pytest.fixture
def redis_url() -> str:
    """A dedicated, flushed Redis database; skips (fails under CI) when Redis is unreachable."""
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        client.flushdb()
    except redis.RedisError as exc:
        message = f"Redis unreachable at {REDIS_URL}: {exc!r}"
        if _redis_required():
            pytest.fail(message)
        pytest.skip(message)
    finally:
        client.close()
    return REDIS_URL


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


class Instance:
    """One `specmcp serve` process; its stdout (the JSON log) goes to a file."""

    def __init__(self, env: dict[str, str], workdir: Path, name: str) -> None:
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log_path = workdir / f"{name}.log"
        self._log = self.log_path.open("w")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "entrypoints.cli.main", "serve", "--port", str(self.port)],
            cwd=workdir,
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            text=True,
        )

    def wait_ready(self) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.base}/ready", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise AssertionError(f"{self.base} did not become ready: {self.stop()}")

    def stop(self) -> str:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._log.close()
        return self.log_path.read_text()

    def log_entries(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.log_path.read_text().splitlines() if line]

    def metrics(self) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
        body = httpx.get(f"{self.base}/metrics", timeout=10).text
        return {
            (s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(body)
            for s in family.samples
        }


@pytest.fixture
def instances(
    request: pytest.FixtureRequest, redis_url: str, tmp_path: Path
) -> Iterator[tuple[Instance, Instance, str]]:
    make: Callable[[], str] = request.getfixturevalue("make_postgres_database")
    url = make()
    run_outside_loop(migrate(url))
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SPECMCP_", "CLERK_", "DATABASE_URL", "STRIPE_", "REDIS_URL"))
    }
    env |= {
        "DATABASE_URL": url,
        "REDIS_URL": redis_url,
        "SPECMCP_VAULT_KEYS": generate_key_entry("k1"),
        "SPECMCP_OUTBOUND_ALLOW_CIDRS": "127.0.0.0/8",
        "SPECMCP_IDENTITY": "dev",
        "SPECMCP_DEV_TOKEN_SECRET": SECRET,
        "SPECMCP_API_RATE_LIMIT": "1000000",
        "SPECMCP_PURGE_JOB_SECONDS": "1",
        "SPECMCP_LOG_FORMAT": "json",
        "SPECMCP_ACCESS_LOG": "true",
    }
    first, second = Instance(env, tmp_path, "a"), Instance(env, tmp_path, "b")
    try:
        first.wait_ready()
        second.wait_ready()
        yield first, second, url
    finally:
        first.stop()
        second.stop()


def _headers() -> dict[str, str]:
    return {"Authorization": f"Bearer {mint_dev_token(USER, SECRET, timedelta(minutes=30))}"}


def _create_server(base: str, upstream_url: str, slug: str, **fields: Any) -> dict[str, Any]:
    spec = httpx.post(
        f"{base}/api/specs", json={"name": "Pets", "rawSpec": petstore()}, headers=_headers()
    )
    assert spec.status_code == 201, spec.text
    body = {"name": "Pets", "slug": slug, "baseUrl": upstream_url, **fields}
    server = httpx.post(
        f"{base}/api/specs/{spec.json()['data']['id']}/servers", json=body, headers=_headers()
    )
    assert server.status_code == 201, server.text
    return dict(server.json()["data"])


async def _alternating_calls(bases: list[str], server: dict[str, Any], calls: int) -> list[Any]:
    """`calls` tool calls alternating between instances: "ok", "is_error", or the refusal."""
    outcomes: list[Any] = []
    urls = [f"{base}/mcp/{server['endpointId']}" for base in bases]
    for i in range(calls):
        try:
            async with mcp_client(urls[i % len(urls)], server["token"], "2026-07-28") as client:
                result = await client.call_tool("listPets", {"limit": 1})
            outcomes.append("is_error" if result.is_error else "ok")
        except Exception as error:
            outcomes.append(_refusal(error))
    return outcomes


def _refusal(error: BaseException) -> Any:
    # A JSON-RPC error is an MCPError; an HTTP 429 surfaces inside an exception group.
    if isinstance(error, BaseExceptionGroup):
        return _refusal(error.exceptions[0])
    data = getattr(error, "data", None) or {}
    code = getattr(error, "code", None)
    if code is not None:
        return (code, data.get("reason"))
    return "http:" + type(error).__name__ + ":" + str(error)[:80]


def _wait_for_a_fresh_minute() -> None:
    # The rate limit's windows are aligned on minutes: start well inside one.
    if time.time() % 60 > 40:
        time.sleep(60 - time.time() % 60 + 0.5)


async def _seed_quota(url: str, calls: int) -> None:
    engine = create_sql_engine(url)
    try:
        await SqlUsageMeter(engine).seed(USER, period_of(datetime.now(UTC)), UsageCounts(calls))
    finally:
        await engine.dispose()


async def _advisory_locks(url: str, job: str) -> list[tuple[int, int]]:
    engine = create_sql_engine(url)
    try:
        async with engine.connect() as connection:
            rows = await connection.execute(
                text(
                    "SELECT pid, objid FROM pg_locks WHERE locktype = 'advisory' AND granted"
                    " AND objsubid = 2 AND classid::bigint = :key AND database ="
                    " (SELECT oid FROM pg_database WHERE datname = current_database())"
                ),
                {"key": _job_key(job) % 2**32},
            )
            return [(row.pid, int(row.objid)) for row in rows]
    finally:
        await engine.dispose()


def _sum(samples: list[dict[Any, float]], name: str, **labels: str) -> float:
    key = (name, tuple(sorted(labels.items())))
    return sum(s.get(key, 0.0) for s in samples)


def test_two_instances_share_limits_metering_credentials_and_jobs(
    instances: tuple[Instance, Instance, str], upstream: UpstreamServer
) -> None:
    first, second, url = instances
    bases = [first.base, second.base]
    both_up = time.time()
    for instance in (first, second):
        assert httpx.get(f"{instance.base}/ready").json()["checks"] == {
            "database": "ok",
            "redis": "ok",
        }

    # 1. One per-server rate limit: 25 calls over both instances, exactly 10 allowed.
    limited = _create_server(first.base, upstream.url, "limited", authMode="none",
                             rateLimitPerMinute=RATE_LIMIT)  # fmt: skip
    _wait_for_a_fresh_minute()
    outcomes = run_outside_loop(_alternating_calls(bases, limited, 25))
    assert outcomes.count("ok") == RATE_LIMIT, outcomes
    # The mount's HTTP 429 carries a JSON-RPC error body (-32005) that the client raises.
    assert set(outcomes[RATE_LIMIT:]) == {(-32005, None)}, outcomes
    # The same limit counted the same way on /api too: the per-user key lives in Redis.
    httpx.get(f"{second.base}/api/usage", headers=_headers()).raise_for_status()
    keys = redis.Redis.from_url(REDIS_URL).keys("specmcp:rl:*")
    assert any(k.startswith(b"specmcp:rl:mcp:") for k in keys)
    assert any(k.startswith(b"specmcp:rl:api:") for k in keys)

    # 2. A credential deleted through one instance is not used by the other, at once.
    keyed = _create_server(
        second.base,
        upstream.url,
        "keyed",
        authMode="api_key",
        authConfig={"in": "header", "name": "X-Api-Key"},
    )
    created = httpx.post(
        f"{first.base}/api/servers/{keyed['id']}/credentials",
        json={"label": "k", "authType": "api_key", "plaintextKey": "sekrit-value-1"},
        headers=_headers(),
    )
    assert created.status_code == 201, created.text
    assert run_outside_loop(_alternating_calls([second.base], keyed, 1)) == ["ok"]
    assert upstream.received[-1].headers.get("x-api-key") == "sekrit-value-1"
    seen = len(upstream.received)
    deleted = httpx.delete(
        f"{first.base}/api/servers/{keyed['id']}/credentials/{created.json()['data']['id']}",
        headers=_headers(),
    )
    assert deleted.status_code == 200
    # Immediately (no wait, no cache expiry): the other instance has no credential to send.
    assert run_outside_loop(_alternating_calls([second.base], keyed, 1)) == ["is_error"]
    assert len(upstream.received) == seen

    # 3. One metering gate: 5 calls left in the free quota, 12 calls over both instances.
    run_outside_loop(_seed_quota(url, FREE_QUOTA - LEFT_IN_QUOTA))
    httpx.post(
        f"{first.base}/api/servers/{keyed['id']}/credentials",
        json={"label": "k2", "authType": "api_key", "plaintextKey": "sekrit-value-2"},
        headers=_headers(),
    ).raise_for_status()
    metered = run_outside_loop(_alternating_calls(bases, keyed, 12))
    assert metered.count("ok") == LEFT_IN_QUOTA, metered
    assert metered[LEFT_IN_QUOTA:] == [(-32003, "monthly_quota")] * (12 - LEFT_IN_QUOTA)

    # 4. Metrics of both instances add up to the calls made.
    samples = [first.metrics(), second.metrics()]
    calls = "specmcp_tool_calls_total"
    assert _sum(samples, calls, outcome="ok") == RATE_LIMIT + 1 + LEFT_IN_QUOTA
    assert _sum(samples, calls, outcome="invalid") == 1  # the call without a credential
    assert _sum(samples, calls, outcome="blocked") == 12 - LEFT_IN_QUOTA
    refusals = "specmcp_gate_refusals_total"
    assert _sum(samples, refusals, gate="mcp", reason="rate_limit") == 25 - RATE_LIMIT
    assert _sum(samples, refusals, gate="metering", reason="monthly_quota") == 12 - LEFT_IN_QUOTA

    # 5. The purge (period: 1 s) ran once per period across both instances.
    time.sleep(max(0.0, both_up + 3 - time.time()))
    job = "log_retention_purge"
    holders = run_outside_loop(_advisory_locks(url, job))
    # In the database: only the last periods' locks are held, each by one session.
    now_slot = int(time.time())
    assert holders and all(now_slot - 3 <= slot <= now_slot for _, slot in holders), holders
    assert len({slot for _, slot in holders}) == len(holders)
    runs = [
        entry["slot"]
        for instance in (first, second)
        for entry in instance.log_entries()
        if entry.get("job") == job
    ]
    assert len(runs) == len(set(runs)), sorted(runs)  # never twice in one period
    steady = [slot for slot in runs if slot >= int(both_up) + 1]
    assert steady and set(range(min(steady), max(steady) + 1)) <= set(runs)
    job_runs = _sum([first.metrics(), second.metrics()], "specmcp_job_runs_total", job=job)
    assert job_runs >= len(runs)  # counted when claimed; logged when done

    # 6. Every log line is JSON; request lines carry the request id of the answer.
    answer = httpx.get(f"{second.base}/api/usage", headers=_headers())
    rid = answer.headers["x-request-id"]
    time.sleep(0.3)
    entries = second.log_entries()
    assert any(e.get("requestId") == rid and e.get("route") == "/api/usage" for e in entries)
    assert all({"ts", "level", "logger", "message"} <= set(e) for e in entries)


def test_metrics_sum_every_worker_of_serve_workers(
    request: pytest.FixtureRequest, tmp_path: Path, upstream: UpstreamServer
) -> None:
    url = request.getfixturevalue("make_postgres_database")()
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SPECMCP_", "CLERK_", "DATABASE_URL", "STRIPE_", "REDIS_URL"))
    }
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    env |= {
        "DATABASE_URL": url,
        "SPECMCP_VAULT_KEYS": generate_key_entry("k1"),
        "SPECMCP_OUTBOUND_ALLOW_CIDRS": "127.0.0.0/8",
        "SPECMCP_DEV_TOKEN_SECRET": SECRET,
    }
    port = _free_port()
    log_path = tmp_path / "workers.log"
    with log_path.open("w") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "entrypoints.cli.main", "serve", "--port", str(port),
             "--workers", "2"],
            cwd=tmp_path, env=env, stdout=log, stderr=subprocess.STDOUT, text=True,
        )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{base}/ready", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        else:
            raise AssertionError(log_path.read_text())
        server = _create_server(base, upstream.url, "workers", authMode="none")
        outcomes = run_outside_loop(_alternating_calls([base], server, 20))
        assert outcomes == ["ok"] * 20
        body = httpx.get(f"{base}/metrics").text
        ok = next(
            s.value
            for family in text_string_to_metric_families(body)
            for s in family.samples
            if s.name == "specmcp_tool_calls_total" and s.labels == {"outcome": "ok"}
        )
        assert ok == 20  # whichever worker answered the scrape, all workers are summed
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()

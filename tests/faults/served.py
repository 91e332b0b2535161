"""What the fault tests drive: `specmcp serve` processes, a counting upstream, the PG cluster.

Everything binds 127.0.0.1. Serve processes are stopped by the test that started them (SIGTERM,
then SIGKILL after a bounded wait); the PostgreSQL cluster is always started again after a stop.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from adapters.identity.dev_identity_verifier import mint_dev_token
from adapters.persistence.sql import create_sql_engine
from adapters.vault.keyring_config import generate_key_entry
from domain.metering.gate import period_of
from tests.contract.conftest import run_outside_loop
from tests.support.documents import petstore

__all__ = [
    "SECRET",
    "ServeProcess",
    "api_headers",
    "database_figures",
    "postgres_stopped",
    "setup_server",
]

ROOT = Path(__file__).resolve().parents[2]
SECRET = "dev-secret-for-the-fault-tests-0123456789abcdef"
USER = "faulty"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def api_headers() -> dict[str, str]:
    return {"Authorization": f"Bearer {mint_dev_token(USER, SECRET, timedelta(minutes=30))}"}


class ServeProcess:
    """One `specmcp serve` on `url`; its output is kept for assertion messages."""

    def __init__(self, url: str, workdir: Path) -> None:
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("SPECMCP_", "CLERK_", "DATABASE_URL", "STRIPE_"))
        }
        env |= {
            "DATABASE_URL": url,
            "SPECMCP_VAULT_KEYS": generate_key_entry("k1"),
            "SPECMCP_OUTBOUND_ALLOW_CIDRS": "127.0.0.0/8",
            "SPECMCP_IDENTITY": "dev",
            "SPECMCP_DEV_TOKEN_SECRET": SECRET,
            "SPECMCP_API_RATE_LIMIT": "1000000",
            "SPECMCP_AUTO_MIGRATE": "false",
        }
        port = _free_port()
        self.base = f"http://127.0.0.1:{port}"
        self._log = (workdir / f"serve-{port}.log").open("w+")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "entrypoints.cli.main", "serve", "--port", str(port)],
            cwd=ROOT,
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            text=True,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                break
            try:
                if httpx.get(f"{self.base}/health", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.1)
        self.stop()
        raise AssertionError(f"serve did not start:\n{self.output()}")

    def output(self) -> str:
        self._log.flush()
        self._log.seek(0)
        return self._log.read()

    def terminate(self, wait: float = 30) -> float | None:
        """SIGTERM; the seconds until the process exited, or None if it had to be killed."""
        if self.proc.poll() is not None:
            return 0.0
        started = time.monotonic()
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=wait)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=10)
            return None
        return time.monotonic() - started

    def stop(self) -> None:
        self.terminate()


def setup_server(base: str, upstream_url: str, url: str, plan: str = "pro") -> dict[str, Any]:
    """The test user (on `plan`), the petstore spec and a server on it (with its token)."""
    headers = api_headers()
    spec = httpx.post(
        f"{base}/api/specs",
        json={"name": "Pets", "rawSpec": petstore()},
        headers=headers,
        timeout=30,
    )
    assert spec.status_code == 201, spec.text
    server = httpx.post(
        f"{base}/api/specs/{spec.json()['data']['id']}/servers",
        json={
            "name": "Pets",
            "slug": "pets",
            "authMode": "none",
            "baseUrl": upstream_url,
            "rateLimitPerMinute": 10000,
        },
        headers=headers,
        timeout=30,
    )
    assert server.status_code == 201, server.text

    async def set_plan() -> None:
        engine = create_sql_engine(url)
        try:
            async with engine.begin() as connection:
                await connection.execute(
                    text("UPDATE users SET plan = :plan WHERE id = :user"),
                    {"plan": plan, "user": USER},
                )
        finally:
            await engine.dispose()

    run_outside_loop(set_plan())
    return dict(server.json()["data"])


def database_figures(url: str, server_id: str) -> dict[str, int]:
    """The usage counter of this period and the server's log rows, read straight from the db."""

    async def read() -> dict[str, int]:
        engine = create_sql_engine(url)
        try:
            async with engine.connect() as connection:
                counter = (
                    await connection.execute(
                        text(
                            "SELECT calls, blocked FROM usage_counters "
                            "WHERE user_id = :user AND period = :period"
                        ),
                        {"user": USER, "period": period_of(datetime.now(UTC))},
                    )
                ).first()
                rows = (
                    await connection.execute(
                        text(
                            "SELECT count(*), "
                            "sum(CASE WHEN status_code IS NULL THEN 1 ELSE 0 END), "
                            "sum(CASE WHEN blocked THEN 1 ELSE 0 END), "
                            "count(DISTINCT request_id) "
                            "FROM request_logs WHERE server_id = :server"
                        ),
                        {"server": server_id},
                    )
                ).one()
        finally:
            await engine.dispose()
        return {
            "counted": int(counter.calls) if counter else 0,
            "blocked_counted": int(counter.blocked) if counter else 0,
            "log_rows": int(rows[0]),
            "log_rows_without_answer": int(rows[1] or 0),
            "log_rows_blocked": int(rows[2] or 0),
            "distinct_request_ids": int(rows[3]),
        }

    return run_outside_loop(read())


# ------------------------------------------------------------------ the PostgreSQL cluster


def _cluster() -> tuple[str, str]:
    versions = sorted(os.listdir("/etc/postgresql")) if os.path.isdir("/etc/postgresql") else []
    if not versions or shutil.which("pg_ctlcluster") is None or os.geteuid() != 0:
        pytest.skip("needs root and a local pg_ctlcluster cluster to stop and start")
    return versions[-1], "main"


def _pg_ctl(action: str, *extra: str) -> None:
    version, name = _cluster()
    subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", version, name, action, *extra],
        check=True,
        capture_output=True,
        timeout=60,
    )


def wait_accepting(admin_url: str, seconds: float = 60) -> float:
    """Poll until PostgreSQL accepts a connection; the seconds it took."""

    async def probe() -> None:
        dsn = make_url(admin_url).set(drivername="postgresql")
        connection = await asyncpg.connect(dsn.render_as_string(hide_password=False), timeout=2)
        try:
            await connection.execute("SELECT 1")
        finally:
            await connection.close()

    started = time.monotonic()
    while True:
        try:
            run_outside_loop(probe())
            return time.monotonic() - started
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError, TimeoutError):
            if time.monotonic() - started > seconds:
                raise
            time.sleep(0.1)


@contextmanager
def postgres_stopped(admin_url: str) -> Iterator[dict[str, float]]:
    """Stop the local cluster (fast mode: sessions are cut) for the block; always start it again.

    Yields a dict that gets `stopped_at` and, on the way out, `started_at` (monotonic) and
    `accepting_after` (seconds from `pg_ctlcluster start` until a connection is accepted).
    """
    if os.environ.get("SPECMCP_FAULTS_RESTART_POSTGRES") != "1":
        pytest.skip(
            "stops this machine's PostgreSQL: opt in with SPECMCP_FAULTS_RESTART_POSTGRES=1"
        )
    host = make_url(admin_url).host or ""
    if host not in ("127.0.0.1", "localhost", "::1"):
        pytest.skip(f"only the local cluster is restarted, not {host}")
    _cluster()
    times: dict[str, float] = {}
    try:
        _pg_ctl("stop", "-m", "fast")
        times["stopped_at"] = time.monotonic()
        yield times
    finally:
        times["started_at"] = time.monotonic()
        try:
            _pg_ctl("start")
        finally:
            times["accepting_after"] = wait_accepting(admin_url)

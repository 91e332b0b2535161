"""`specmcp serve` on the embedded SQLite default, driven as a user would: CLI and HTTP."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.support.documents import petstore


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _env(workdir: Path) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SPECMCP_", "CLERK_", "DATABASE_URL", "STRIPE_"))
    }
    env["DATABASE_URL"] = f"sqlite+aiosqlite:///{workdir}/specmcp.db"
    return env


def _specmcp(*args: str, workdir: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "entrypoints.cli.main", *args],
        cwd=workdir,
        env=_env(workdir),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, Path, subprocess.Popen[str]]]:
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "entrypoints.cli.main", "serve", "--port", str(port)],
        cwd=tmp_path,
        env=_env(tmp_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.1)
    else:
        proc.kill()
        raise AssertionError(f"serve did not start: {proc.communicate()[0]}")
    yield base, tmp_path, proc
    proc.terminate()
    proc.wait(timeout=15)


def test_serve_works_at_once_with_a_dev_token_and_keeps_data(served):
    base, workdir, proc = served
    assert httpx.get(f"{base}/ready").json()["status"] == "ok"
    token = _specmcp("dev-token", "--user", "alice", workdir=workdir).stdout.strip()
    headers = {"Authorization": f"Bearer {token}"}
    created = httpx.post(
        f"{base}/api/specs", json={"name": "Pets", "rawSpec": petstore()}, headers=headers
    )
    assert created.status_code == 201, created.text
    assert (workdir / "specmcp.db").exists()
    listed = httpx.get(f"{base}/api/specs", headers=headers).json()
    assert [s["name"] for s in listed["data"]] == ["Pets"]
    schema = httpx.get(f"{base}/schema/openapi.json").json()
    assert "/api/specs" in schema["paths"]
    proc.terminate()
    proc.wait(timeout=15)
    out = proc.stdout.read() if proc.stdout else ""
    assert "dev-token" in out and "/schema" in out
    assert token not in out


def test_migrate_command_prepares_the_database(tmp_path: Path):
    result = _specmcp("migrate", workdir=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "specmcp.db").exists()

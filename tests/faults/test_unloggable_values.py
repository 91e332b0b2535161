"""An upstream answer PostgreSQL cannot store as text (a NUL byte) must not cost any log row.

Before the fix, one such row failed its whole batch on PostgreSQL, and the sink retried that
batch forever: no later call of that process was ever logged, whoever's it was.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from adapters.persistence.sql import migrate
from tests.contract.conftest import run_outside_loop
from tests.faults.served import ServeProcess, api_headers, database_figures, setup_server
from tests.support.threaded_upstream import threaded_upstream
from tests.support.upstream_server import ReceivedRequest, Reply


def _answer(request: ReceivedRequest) -> Reply:
    if request.query.get("limit") == ["7"]:
        return Reply(200, {"content-type": "text/plain"}, b"before\x00after")
    return Reply(200, {"content-type": "application/json"}, b'[{"id": 1, "name": "Rex"}]')


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path / 'specmcp.db'}"
    else:
        make: Callable[[], str] = request.getfixturevalue("make_postgres_database")
        url = make()
    run_outside_loop(migrate(url))
    return url


@pytest.fixture
def upstream() -> Iterator[Any]:
    with threaded_upstream(_answer) as server:
        yield server


def test_a_nul_byte_in_an_upstream_answer_costs_no_log_row(
    database_url: str, upstream: Any, tmp_path: Path
) -> None:
    proc = ServeProcess(database_url, tmp_path)
    try:
        server = setup_server(proc.base, upstream.url, database_url)
        for limit in (1, 1, 7, 1, 1):
            answer = httpx.post(
                f"{proc.base}/api/servers/{server['id']}/test",
                json={"toolName": "listPets", "arguments": {"limit": limit}},
                headers=api_headers(),
                timeout=30,
            )
            assert answer.status_code == 200, answer.text
        exit_seconds = proc.terminate()
    finally:
        proc.stop()
    figures = database_figures(database_url, server["id"])
    assert exit_seconds is not None and exit_seconds < 10
    assert figures["counted"] == figures["log_rows"] == 5, (figures, proc.output()[-3000:])


def test_logged_bodies_never_hold_nul() -> None:
    from domain.logs.body_capture import captured_body

    assert captured_body(b"before\x00after") == "before\ufffdafter"
    assert captured_body("x\x00" * 10_000).count("\x00") == 0  # cut bodies too

"""SIGTERM to a served process under a load of tool calls, on SQLite and on PostgreSQL.

What must hold:

- calls in flight when the signal arrives finish: their responses arrive complete;
- every metered call is logged once the process is gone: the buffered rows are written by the
  lifespan's shutdown (counter == log rows == upstream requests == calls answered);
- the process exits within 10 s, even with a call stuck on a slow upstream (the outbound limit
  is 30 s) and a legacy SSE stream open: uvicorn's graceful shutdown is bounded
  (`timeout_graceful_shutdown`), and a call cut off by that bound is logged as such (a row
  without status, never a lost row).
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest

from adapters.persistence.sql import migrate
from tests.contract.conftest import run_outside_loop
from tests.faults.load import CALL_TIME_LIMIT, MCP_HEADERS, run_load
from tests.faults.served import (
    ServeProcess,
    api_headers,
    database_figures,
    setup_server,
)
from tests.support.threaded_upstream import threaded_upstream
from tests.support.upstream_server import ReceivedRequest, Reply

EXIT_LIMIT_SECONDS = 10.0
IN_FLIGHT_MARGIN = 0.2
"""A call sent this long before the signal has surely reached the server."""
SLOW_LIMIT = 99
"""`limit` value that makes the upstream answer after SLOW_SECONDS."""
SLOW_SECONDS = 25.0


def _pets(request: ReceivedRequest) -> Reply:
    slow = request.query.get("limit") == [str(SLOW_LIMIT)]
    return Reply(
        200,
        {"content-type": "application/json"},
        b'[{"id": 1, "name": "Rex"}]',
        delay=SLOW_SECONDS if slow else 0.3,
    )


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
    with threaded_upstream(_pets) as server:
        yield server


def test_sigterm_lets_in_flight_calls_finish_and_writes_every_log_row(
    database_url: str, upstream: Any, tmp_path: Path
) -> None:
    proc = ServeProcess(database_url, tmp_path)
    try:
        server = setup_server(proc.base, upstream.url, database_url)
        stop = threading.Event()
        with ThreadPoolExecutor(max_workers=1) as pool:
            load = pool.submit(run_load, [proc.base], server, stop, http_tasks=6, mcp_tasks=6)
            try:
                time.sleep(2.5)
                signalled = time.monotonic()
                exit_seconds = proc.terminate(wait=EXIT_LIMIT_SECONDS + 20)
            finally:
                stop.set()
            outcomes = load.result(timeout=CALL_TIME_LIMIT + 30)
    finally:
        proc.stop()
    upstream_saw = len(upstream.received)
    figures = database_figures(database_url, server["id"])

    in_flight = [o for o in outcomes if o.started < signalled - IN_FLIGHT_MARGIN]
    answered = [o for o in outcomes if o.ok]
    late = [o for o in outcomes if o.started >= signalled - IN_FLIGHT_MARGIN]
    report = {
        "calls": len(outcomes),
        "in_flight_or_before": len(in_flight),
        "answered": len(answered),
        "in_flight_at_signal": sum(o.started < signalled < o.ended for o in outcomes),
        "late_results": sorted({o.result for o in late}),
        "exit_seconds": exit_seconds,
        "upstream_saw": upstream_saw,
        **figures,
    }
    print("\ngraceful shutdown:", report)
    assert exit_seconds is not None and exit_seconds < EXIT_LIMIT_SECONDS, proc.output()[-3000:]
    assert report["in_flight_at_signal"] > 0, report
    assert all(o.ok for o in in_flight), [o for o in in_flight if not o.ok][:3]
    # After the signal the server stops taking calls: refused connections, nothing worse.
    for o in late:
        assert o.ok or o.result.startswith("transport "), o
    assert len(answered) == upstream_saw == figures["counted"], report
    assert figures["counted"] == figures["log_rows"] == figures["distinct_request_ids"], report
    assert figures["log_rows_without_answer"] == 0, report


def _slow_call(base: str, server: dict[str, Any], kind: str) -> str:
    try:
        if kind == "http":
            answer = httpx.post(
                f"{base}/api/servers/{server['id']}/test",
                json={"toolName": "listPets", "arguments": {"limit": SLOW_LIMIT}},
                headers=api_headers(),
                timeout=CALL_TIME_LIMIT + 10,
            )
        else:
            answer = httpx.post(
                f"{base}/mcp/{server['endpointId']}",
                json={
                    "jsonrpc": "2.0",
                    "id": 1,
                    "method": "tools/call",
                    "params": {"name": "listPets", "arguments": {"limit": SLOW_LIMIT}},
                },
                headers=MCP_HEADERS | {"Authorization": f"Bearer {server['token']}"},
                timeout=CALL_TIME_LIMIT + 10,
            )
        return f"{answer.status_code}"
    except httpx.HTTPError as error:
        return f"transport {type(error).__name__}"


def _sse_session_call(base: str, server: dict[str, Any]) -> str:
    """A slow tool call over a legacy HTTP+SSE session (its own task group in the server)."""
    from tests.mcp.clients import sse_mcp_client

    async def call() -> str:
        async with sse_mcp_client(f"{base}/mcp/{server['endpointId']}", server["token"]) as c:
            result = await c.call_tool("listPets", {"limit": SLOW_LIMIT})
            return f"result isError={result.is_error}"

    try:
        return asyncio.run(asyncio.wait_for(call(), CALL_TIME_LIMIT + 10))
    except BaseException as error:  # the session ends with the process
        return f"ended {type(error).__name__}"


def _open_sse(base: str, server: dict[str, Any], opened: threading.Event) -> str:
    url = f"{base}/mcp/{server['endpointId']}/sse"
    headers = {"Authorization": f"Bearer {server['token']}", "Accept": "text/event-stream"}
    try:
        with httpx.stream("GET", url, headers=headers, timeout=CALL_TIME_LIMIT + 10) as stream:
            opened.set()
            for _ in stream.iter_bytes():
                pass
        return f"closed {stream.status_code}"
    except httpx.HTTPError as error:
        opened.set()
        return f"transport {type(error).__name__}"


def test_sigterm_exits_in_time_despite_a_slow_upstream_and_an_open_sse_stream(
    database_url: str, upstream: Any, tmp_path: Path
) -> None:
    proc = ServeProcess(database_url, tmp_path)
    try:
        server = setup_server(proc.base, upstream.url, database_url)
        opened = threading.Event()
        with ThreadPoolExecutor(max_workers=4) as pool:
            sse = pool.submit(_open_sse, proc.base, server, opened)
            slow = [pool.submit(_slow_call, proc.base, server, k) for k in ("http", "mcp")]
            slow.append(pool.submit(_sse_session_call, proc.base, server))
            assert opened.wait(10)
            deadline = time.monotonic() + 20
            while len(upstream.received) < 3 and time.monotonic() < deadline:
                time.sleep(0.05)
            exit_seconds = proc.terminate(wait=SLOW_SECONDS + 20)
            results = [f.result(timeout=CALL_TIME_LIMIT + 20) for f in (sse, *slow)]
    finally:
        proc.stop()
    figures = database_figures(database_url, server["id"])
    report = {"exit_seconds": exit_seconds, "results": results, **figures}
    print("\nslow shutdown:", report)
    assert len(upstream.received) == 3, report
    assert exit_seconds is not None and exit_seconds < EXIT_LIMIT_SECONDS, (
        report,
        proc.output()[-3000:],
    )
    # The three calls were counted; cut off by the bounded shutdown, each is logged as such.
    assert figures["counted"] == figures["log_rows"] == 3, report
    assert figures["log_rows_without_answer"] == 3, report

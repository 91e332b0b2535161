"""PostgreSQL stopped and started again under a load of tool calls (API test route and MCP).

Two `specmcp serve` processes share one PostgreSQL database; 4 HTTP and 4 MCP callers call a
tool without pause. The machine's cluster is stopped in fast mode (sessions cut mid-query),
kept down, and started again; the callers go on until the service has recovered.

What must hold:

- no call hangs past its time limit and no process dies;
- while the database is down a call fails cleanly: HTTP `503` with the error envelope
  (`INTERNAL_ERROR`, `details.reason = "service_unavailable"`, `Retry-After`), MCP HTTP `503`
  or a JSON-RPC error `-32000` with the same reason; never a leaked driver message;
- the service recovers by itself (dead pooled connections are replaced: `pool_pre_ping`), and
  every call started a few seconds after the database accepts connections again succeeds;
- metering is exact. With `A` the calls the clients saw succeed, `U` the requests the upstream
  received, `C` the usage counter, `L` the log rows of the server, `L0` those without an
  upstream answer: `A == U == C - L0` and `C == L`, and every request id is logged once. A
  call refused because the database was down is never counted, never sent and never logged; a
  counted call that got no answer is logged as such (`L0`). The one case outside this is a
  commit whose acknowledgement the restart cut off (counted, no log row); it is reported, and
  would break `C == L` by the number of such calls.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from adapters.persistence.sql import migrate
from tests.contract.conftest import run_outside_loop
from tests.faults.load import CALL_TIME_LIMIT, Outcome, run_load
from tests.faults.served import ServeProcess, database_figures, postgres_stopped, setup_server
from tests.support.threaded_upstream import threaded_upstream
from tests.support.upstream_server import ReceivedRequest, Reply

pytestmark = pytest.mark.postgres

BEFORE_SECONDS = 2.0
DOWN_SECONDS = 3.0
RECOVERY_GRACE_SECONDS = 5.0
AFTER_SECONDS = 8.0

CLEAN_FAILURES = {
    "http 503 INTERNAL_ERROR",
    "mcp-http 503 jsonrpc -32000",
    "mcp-http 200 jsonrpc -32000",
}
# ":5432", not "5432": random request ids are hex and may contain those digits.
LEAKS = (
    "asyncpg",
    "sqlalchemy",
    ":5432",
    "port 5432",
    "postgres",
    "Traceback",
    "connection refused",
)


def _pets(_: ReceivedRequest) -> Reply:
    return Reply(200, {"content-type": "application/json"}, b'[{"id": 1, "name": "Rex"}]')


def _check_failure(outcome: Outcome) -> None:
    assert outcome.result in CLEAN_FAILURES, outcome
    text = str(outcome.body)
    assert not any(leak.lower() in text.lower() for leak in LEAKS), outcome
    if outcome.kind == "http":
        error = outcome.body["error"]
        assert outcome.body["success"] is False and outcome.body["data"] is None
        assert error["details"]["reason"] == "service_unavailable"
        assert error["details"]["requestId"]
    elif outcome.status == 200:
        assert outcome.body["error"]["data"]["reason"] == "service_unavailable"


def test_calls_fail_cleanly_while_postgres_restarts_and_metering_stays_exact(
    make_postgres_database: Callable[[], str], postgres_admin_url: str, tmp_path: Path
) -> None:
    url = make_postgres_database()
    run_outside_loop(migrate(url))
    with threaded_upstream(_pets) as upstream:
        procs = [ServeProcess(url, tmp_path), ServeProcess(url, tmp_path)]
        try:
            server = setup_server(procs[0].base, upstream.url, url)
            stop = threading.Event()
            with ThreadPoolExecutor(max_workers=1) as pool:
                load = pool.submit(run_load, [p.base for p in procs], server, stop)
                try:
                    time.sleep(BEFORE_SECONDS)
                    with postgres_stopped(postgres_admin_url) as times:
                        time.sleep(DOWN_SECONDS)
                    accepting = times["started_at"] + times["accepting_after"]
                    time.sleep(AFTER_SECONDS)
                finally:
                    stop.set()
                outcomes = load.result(timeout=CALL_TIME_LIMIT + 30)
            alive = [p.proc.poll() is None for p in procs]
        finally:
            exit_seconds = [p.terminate() for p in procs]
            output = "\n".join(p.output() for p in procs)
        upstream_saw = len(upstream.received)
    figures = database_figures(url, server["id"])

    results = Counter((o.kind, o.result) for o in outcomes)
    succeeded = sum(o.ok for o in outcomes)
    failures = [o for o in outcomes if not o.ok]
    firsts = {
        kind: min(
            (o.ended for o in outcomes if o.kind == kind and o.ok and o.started >= accepting),
            default=None,
        )
        for kind in ("http", "mcp")
    }
    report = {
        "calls": len(outcomes),
        "results": dict(results),
        "slowest_call_s": round(max(o.seconds for o in outcomes), 3),
        "down_s": round(times["started_at"] - times["stopped_at"], 2),
        "pg_accepting_after_start_s": round(times["accepting_after"], 2),
        "recovered_after_s": {
            k: None if v is None else round(v - accepting, 3) for k, v in firsts.items()
        },
        "succeeded": succeeded,
        "upstream_saw": upstream_saw,
        **figures,
        "exit_seconds": exit_seconds,
    }
    print("\npostgres restart:", report)
    tail = output[-4000:]

    assert all(alive), tail
    assert all(o.seconds < CALL_TIME_LIMIT for o in outcomes), report
    assert failures, f"the restart never reached a call: {report}"
    for outcome in failures:
        _check_failure(outcome)
    # Recovery: every call that started once the database had been back a little while succeeded.
    late = [o for o in outcomes if o.started >= accepting + RECOVERY_GRACE_SECONDS]
    assert late and all(o.ok for o in late), report
    assert all(v is not None for v in firsts.values()), report
    # Metering: nothing lost, nothing doubled.
    assert all(s is not None and s < 10 for s in exit_seconds), report
    assert figures["log_rows_blocked"] == figures["blocked_counted"] == 0, report
    assert succeeded == upstream_saw, report
    assert upstream_saw == figures["counted"] - figures["log_rows_without_answer"], report
    assert figures["counted"] == figures["log_rows"] == figures["distinct_request_ids"], report

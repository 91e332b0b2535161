"""PostgreSQL that hangs (packets held, nothing refused) under a load of tool calls.

The serve process reaches PostgreSQL through a relay that freezes for `FROZEN_SECONDS`: bytes
stop in both directions, no connection is closed. That is a stuck server or a partition, where
nothing fails fast. `DATABASE_URL` carries `command_timeout=5` (asyncpg's per-statement limit,
settable by operators in the URL), so a statement waits at most 5 s.

What must hold:

- every failure is clean (HTTP 503 envelope, MCP 503 or JSON-RPC -32000, nothing leaked), no
  process dies, and the service recovers by itself once the relay thaws;
- a call held by the frozen database fails on the statement limit: one call runs a few
  statements, so it fails within a few times `STATEMENT_LIMIT`;
- metering: `A == U == L - L0` (every answer the clients saw is one upstream request and one
  logged row) and `0 <= C - L <= T`, where `T` counts the calls that failed on a time limit: a
  counting statement that reached the database just before it froze commits there while its
  caller gives up, so it is counted without a row. That is the one ambiguity left, bounded here.

Known gap (reported, not hidden): new connections wait for asyncpg's connect time limit (60 s
by default, not settable through the URL), so calls that need a fresh connection during the
hang wait until the thaw. `engine.py` should pass `connect_args={"timeout": 5}`; until it does,
the last check is an expected failure.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from adapters.persistence.sql import migrate
from tests.contract.conftest import run_outside_loop
from tests.faults.freezing_proxy import freezing_proxy, set_frozen
from tests.faults.load import CALL_TIME_LIMIT, run_load
from tests.faults.served import ServeProcess, database_figures, setup_server
from tests.faults.test_postgres_restart import _check_failure, _pets
from tests.support.threaded_upstream import threaded_upstream

pytestmark = pytest.mark.postgres

STATEMENT_LIMIT = 5
FROZEN_SECONDS = 20.0
AFTER_SECONDS = 8.0
ANY_CALL_LIMIT = 3 * STATEMENT_LIMIT + 2


def test_calls_fail_cleanly_and_in_bounded_time_while_postgres_hangs(
    make_postgres_database: Callable[[], str], tmp_path: Path
) -> None:
    direct = make_postgres_database()
    run_outside_loop(migrate(direct))
    target = make_url(direct)
    with (
        freezing_proxy(target.host or "127.0.0.1", target.port or 5432) as (proxy, loop),
        threaded_upstream(_pets) as upstream,
    ):
        relayed = target.set(port=proxy.port).update_query_dict(
            {"command_timeout": str(STATEMENT_LIMIT)}
        )
        url = relayed.render_as_string(hide_password=False)
        proc = ServeProcess(url, tmp_path)
        try:
            server = setup_server(proc.base, upstream.url, direct)
            stop = threading.Event()
            with ThreadPoolExecutor(max_workers=1) as pool:
                load = pool.submit(run_load, [proc.base], server, stop, http_tasks=3, mcp_tasks=3)
                try:
                    time.sleep(2)
                    frozen_at = time.monotonic()
                    set_frozen(proxy, loop, True)
                    try:
                        time.sleep(FROZEN_SECONDS)
                    finally:
                        set_frozen(proxy, loop, False)
                    thawed_at = time.monotonic()
                    time.sleep(AFTER_SECONDS)
                finally:
                    stop.set()
                outcomes = load.result(timeout=CALL_TIME_LIMIT + 60)
            alive = proc.proc.poll() is None
        finally:
            exit_seconds = proc.terminate()
        upstream_saw = len(upstream.received)
    figures = database_figures(direct, server["id"])

    failures = [o for o in outcomes if not o.ok]
    in_flight = [o for o in outcomes if o.started < frozen_at < o.ended]
    succeeded = sum(o.ok for o in outcomes)
    timed_out = len(failures)
    report = {
        "calls": len(outcomes),
        "results": dict(Counter((o.kind, o.result) for o in outcomes)),
        "in_flight_at_freeze": len(in_flight),
        "slowest_in_flight_s": round(max((o.seconds for o in in_flight), default=0), 2),
        "slowest_call_s": round(max(o.seconds for o in outcomes), 2),
        "first_ok_after_thaw_s": round(
            min((o.ended for o in outcomes if o.ok and o.ended > thawed_at), default=0) - thawed_at,
            2,
        ),
        "succeeded": succeeded,
        "upstream_saw": upstream_saw,
        **figures,
        "exit_seconds": exit_seconds,
    }
    print("\npostgres hang:", report)

    assert alive, proc.output()[-3000:]
    assert failures and in_flight, report
    for outcome in failures:
        _check_failure(outcome)
    late = [o for o in outcomes if o.started >= thawed_at + 3]
    assert late and all(o.ok for o in late), report
    assert exit_seconds is not None and exit_seconds < 10, report
    assert succeeded == upstream_saw == figures["log_rows"] - figures["log_rows_without_answer"]
    assert 0 <= figures["counted"] - figures["log_rows"] <= timed_out, report
    assert figures["log_rows"] == figures["distinct_request_ids"], report
    assert all(o.seconds < 3 * STATEMENT_LIMIT + 2 for o in failures), report
    if report["slowest_call_s"] >= ANY_CALL_LIMIT:
        pytest.xfail(
            f"a call waited {report['slowest_call_s']} s for a new connection: asyncpg's connect "
            "time limit is 60 s unless engine.py sets connect_args timeout"
        )

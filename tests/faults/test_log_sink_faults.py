"""The request log sink when its store fails: down for a while, or refusing some rows.

Invariant: every row recorded is written exactly once, unless the store refuses that very row
alone `MAX_REFUSALS` times while it takes the others (then it is dropped, counted and logged),
or the store is still down when the shutdown's bounded retries run out (counted and logged).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from datetime import UTC, datetime

import pytest

from adapters.logs import batching_log_sink
from adapters.logs.batching_log_sink import MAX_REFUSALS, BatchingLogSink
from domain.logs.request_log import RequestLog


def _row(n: int, body: str = "ok") -> RequestLog:
    return RequestLog(
        id=f"row-{n:06d}",
        owner_id="owner",
        server_id="server",
        tool_id="tool",
        tool_name="listPets",
        source="mcp",
        request_id=f"req-{n}",
        method="GET",
        path="/pets",
        status_code=200,
        duration_ms=1.0,
        upstream_ms=0.5,
        is_error=False,
        response_body=body,
        created_at=datetime.now(UTC),
    )


class FlakyStore:
    """Refuses everything while `down`, and any batch holding a row whose body is "poison"."""

    def __init__(self) -> None:
        self.down = False
        self.rows: dict[str, RequestLog] = {}
        self.attempts = 0

    async def add_many(self, rows: Sequence[RequestLog]) -> None:
        self.attempts += 1
        await asyncio.sleep(0)
        if self.down:
            raise ConnectionRefusedError("store down")
        if any(r.response_body == "poison" for r in rows):
            raise ValueError("the store cannot hold this value")
        for row in rows:
            assert row.id not in self.rows, f"{row.id} written twice"
            self.rows[row.id] = row


async def test_rows_recorded_while_the_store_is_down_are_written_once_it_is_back() -> None:
    store = FlakyStore()
    sink = BatchingLogSink(store, interval=0.01, max_rows=50)  # type: ignore[arg-type]
    store.down = True
    for n in range(2000):
        sink.record(_row(n))
        if n % 100 == 0:
            await asyncio.sleep(0.01)
    await asyncio.sleep(0.5)
    attempts_while_down = store.attempts
    assert not store.rows and sink.backlog == 2000
    store.down = False
    for _ in range(200):  # the background task alone catches up (bounded: 10 s)
        if not sink.backlog:
            break
        await asyncio.sleep(0.05)
    assert sink.backlog == 0
    await sink.aclose()
    assert len(store.rows) == 2000 and sink.dropped == 0
    # Backed off: a few attempts over the outage, not one per recorded row.
    assert attempts_while_down < 60, attempts_while_down


async def test_a_row_the_store_refuses_does_not_hold_back_the_others() -> None:
    store = FlakyStore()
    sink = BatchingLogSink(store, interval=0.01, max_rows=10_000)  # type: ignore[arg-type]
    for n in range(1000):
        sink.record(_row(n, "poison" if n == 417 else "ok"))
    await sink.flush()
    assert len(store.rows) == 999 and sink.backlog == 1
    assert store.attempts < 40, store.attempts  # halves, not row by row
    for n in range(1000, 1010):
        sink.record(_row(n))
    await sink.aclose()
    assert len(store.rows) == 1009
    assert "row-000417" not in store.rows and sink.dropped == 1 and sink.backlog == 0


async def test_shutdown_retries_a_little_then_says_what_it_lost(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(batching_log_sink, "CLOSE_RETRY_SECONDS", 0.5)
    store = FlakyStore()
    sink = BatchingLogSink(store, interval=0.01)  # type: ignore[arg-type]
    store.down = True
    for n in range(30):
        sink.record(_row(n))
    started = time.monotonic()
    await sink.aclose()
    assert time.monotonic() - started < 2
    assert sink.dropped == 30 and not store.rows
    assert "30 rows lost" in caplog.text


async def test_shutdown_waits_for_a_store_that_comes_back_within_the_retry_time() -> None:
    store = FlakyStore()
    sink = BatchingLogSink(store, interval=0.01)  # type: ignore[arg-type]
    store.down = True
    for n in range(30):
        sink.record(_row(n))
    loop = asyncio.get_running_loop()
    loop.call_later(0.3, lambda: setattr(store, "down", False))
    await sink.aclose()
    assert len(store.rows) == 30 and sink.dropped == 0


def test_a_refused_row_gets_several_chances() -> None:
    assert MAX_REFUSALS >= 3

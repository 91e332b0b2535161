"""The RequestLogStore and LogStatistics contract: one suite on memory, SQLite and PostgreSQL."""
# ruff: noqa: F811  (the `make_stores` fixture is imported from the meter suite)

from __future__ import annotations

import itertools
import uuid
from datetime import timedelta
from typing import Any

from domain.logs.log_cursor import LogCursor
from domain.logs.request_log import LogFilter, RequestLog
from tests.contract.test_usage_meter import make_stores  # noqa: F401  (the fixture)
from tests.support.metering_stores import T0, add_account

_ids = itertools.count()


def row(server_id: str = "u1-srv-0", owner_id: str = "u1", **changes: Any) -> RequestLog:
    values: dict[str, Any] = {
        "id": str(uuid.UUID(int=next(_ids) + 1)),
        "owner_id": owner_id,
        "server_id": server_id,
        "tool_id": "tool-1",
        "tool_name": "listPets",
        "source": "mcp",
        "request_id": "r",
        "method": "GET",
        "path": "/pets?limit=1",
        "status_code": 200,
        "duration_ms": 12.5,
        "upstream_ms": 10.0,
        "is_error": False,
        "request_headers": (("Accept", "*/*"),),
        "request_body": None,
        "response_body": '{"ok": "ünï"}',
        "created_at": T0,
    }
    return RequestLog(**(values | changes))


async def all_pages(
    store: Any, server_id: str, where: LogFilter, limit: int, between: Any = None
) -> list[RequestLog]:
    seen: list[RequestLog] = []
    after = None
    while True:
        page = await store.page(
            server_id, where, after=after, not_before=T0 - timedelta(days=365), limit=limit + 1
        )
        seen.extend(page[:limit])
        if len(page) <= limit:
            return seen
        after = LogCursor(page[limit - 1].created_at, page[limit - 1].id)
        if between is not None:
            await between()


async def test_rows_come_back_whole_newest_first_with_ids_breaking_ties(make_stores):
    stores = make_stores()
    first = row(created_at=T0, request_headers=(("X-Key", "***"), ("Accept", "a")))
    tied = [row(created_at=T0 + timedelta(seconds=1)) for _ in range(3)]
    await stores.logs.add_many([first, *tied])

    listed = await all_pages(stores.logs, "u1-srv-0", LogFilter(), limit=2)

    assert listed == [*sorted(tied, key=lambda r: r.id, reverse=True), first]
    assert listed[-1].request_headers == (("X-Key", "***"), ("Accept", "a"))


async def test_every_filter_combines(make_stores):
    stores = make_stores()
    wanted = row(
        method="POST", status_code=201, tool_name="createPet", created_at=T0 + timedelta(minutes=5)
    )
    await stores.logs.add_many(
        [
            wanted,
            row(method="POST", status_code=201, tool_name="createPet", created_at=T0),
            row(
                method="POST",
                status_code=500,
                tool_name="createPet",
                created_at=T0 + timedelta(minutes=5),
            ),
            row(
                method="GET",
                status_code=201,
                tool_name="createPet",
                created_at=T0 + timedelta(minutes=5),
            ),
            row(
                method="POST",
                status_code=201,
                tool_name="other",
                created_at=T0 + timedelta(minutes=5),
            ),
            row(
                server_id="elsewhere",
                method="POST",
                status_code=201,
                tool_name="createPet",
                created_at=T0 + timedelta(minutes=5),
            ),
        ]
    )
    where = LogFilter(
        method="POST",
        status_code=201,
        tool_name="createPet",
        since=T0 + timedelta(minutes=1),
        until=T0 + timedelta(minutes=6),
    )

    assert await all_pages(stores.logs, "u1-srv-0", where, limit=10) == [wanted]
    # `to` is exclusive, `from` inclusive.
    early = await all_pages(
        stores.logs, "u1-srv-0", LogFilter(until=T0 + timedelta(minutes=5)), limit=10
    )
    assert [r.created_at for r in early] == [T0]
    late = await all_pages(
        stores.logs, "u1-srv-0", LogFilter(since=T0 + timedelta(minutes=5)), limit=10
    )
    assert len(late) == 4


async def test_rows_past_retention_are_never_listed(make_stores):
    stores = make_stores()
    old, recent = row(created_at=T0 - timedelta(days=8)), row(created_at=T0 - timedelta(days=6))
    await stores.logs.add_many([old, recent])

    listed = await stores.logs.page(
        "u1-srv-0", LogFilter(), after=None, not_before=T0 - timedelta(days=7), limit=10
    )

    assert listed == [recent]


async def test_paging_10000_rows_while_rows_arrive_gives_each_row_once(make_stores):
    stores = make_stores()
    old = [row(created_at=T0 + timedelta(milliseconds=i // 3)) for i in range(10_000)]
    for start in range(0, len(old), 2000):
        await stores.logs.add_many(old[start : start + 2000])
    arrivals = itertools.count(1)

    async def new_rows() -> None:
        n = next(arrivals)
        await stores.logs.add_many(
            [
                row(created_at=T0 + timedelta(hours=1, seconds=n)),
                row(created_at=T0 + timedelta(hours=1, seconds=n)),
            ]
        )

    listed = await all_pages(stores.logs, "u1-srv-0", LogFilter(), limit=200, between=new_rows)

    old_ids = {r.id for r in old}
    seen_old = [r.id for r in listed if r.id in old_ids]
    assert len(seen_old) == len(set(seen_old)) == 10_000
    assert next(arrivals) > 40  # rows did arrive between the pages


async def test_the_purge_removes_exactly_the_rows_past_each_plans_retention(make_stores):
    stores = make_stores()
    await add_account(stores.uow, "free_user", plan="free")
    await add_account(stores.uow, "pro_user", plan="pro")
    now = T0
    keep = [
        row(owner_id="free_user", created_at=now - timedelta(days=6, hours=23)),
        row(owner_id="pro_user", created_at=now - timedelta(days=89)),
    ]
    expired = [
        row(owner_id="free_user", created_at=now - timedelta(days=7, seconds=1)),
        row(owner_id="pro_user", created_at=now - timedelta(days=90, seconds=1)),
        row(owner_id="gone_user", created_at=now - timedelta(days=8)),
    ]
    await stores.logs.add_many(keep + expired)
    cutoffs = {
        "free": now - timedelta(days=7),
        "starter": now - timedelta(days=30),
        "pro": now - timedelta(days=90),
    }

    removed = await stores.logs.purge(cutoffs, now - timedelta(days=7))

    assert removed == 3
    left = [
        r
        for server in ("u1-srv-0",)
        for r in await all_pages(stores.logs, server, LogFilter(), limit=10)
    ]
    assert {r.id for r in left} == {r.id for r in keep}
    assert await stores.logs.purge(cutoffs, now - timedelta(days=7)) == 0


async def test_usage_by_server_counts_allowed_calls_errors_and_nearest_rank_latency(make_stores):
    stores = make_stores()
    durations = [float(d) for d in range(1, 21)]  # 1..20 ms
    rows = [row(duration_ms=d, is_error=d > 18, created_at=T0) for d in durations]
    rows += [row(duration_ms=999.0, is_error=True, blocked=True, status_code=429, created_at=T0)]
    rows += [row(server_id="u1-srv-1", duration_ms=5.0, created_at=T0)]
    rows += [row(duration_ms=1.0, created_at=T0 - timedelta(days=40))]  # another period
    rows += [row(owner_id="someone", server_id="x", created_at=T0)]
    await stores.logs.add_many(rows)

    figures = await stores.statistics.usage_by_server(
        "u1", T0 - timedelta(days=9), T0 + timedelta(days=20)
    )

    by_id = {f.server_id: f for f in figures}
    assert set(by_id) == {"u1-srv-0", "u1-srv-1"}
    main = by_id["u1-srv-0"]
    assert (main.requests, main.errors) == (20, 2)
    assert (main.p50_ms, main.p95_ms) == (10.0, 19.0)
    assert (by_id["u1-srv-1"].requests, by_id["u1-srv-1"].p95_ms) == (1, 5.0)

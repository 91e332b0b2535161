"""Metering through the test route: quota, cap, period, downgrade, usage and budget (API.md §7)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from typing import Any

import msgspec
import pytest
from litestar.testing import AsyncTestClient

from adapters.system.system_clock import FixedClock
from application.ports.metering import UsageCounts
from entrypoints.config import Settings
from entrypoints.container import build_container
from entrypoints.http.app import create_app
from tests.http.metered_app import MeteredApi, echo_upstream, small_plans, use_plans
from tests.support.rsa_keys import RsaTestKey
from tests.support.threaded_upstream import threaded_upstream
from tests.support.upstream_server import UpstreamServer

MARCH = datetime(2026, 3, 14, 9, 30, tzinfo=UTC)


@pytest.fixture
def upstream() -> Iterator[UpstreamServer]:
    with threaded_upstream(echo_upstream) as server:
        yield server


@pytest.fixture
def plans(request: pytest.FixtureRequest) -> Any:
    marker = request.node.get_closest_marker("plans")
    return small_plans(**marker.kwargs) if marker else None


@pytest.fixture
async def api(settings: Settings, rsa_key: RsaTestKey, plans: Any) -> AsyncIterator[MeteredApi]:
    clock = FixedClock(MARCH)
    container = build_container(
        msgspec.structs.replace(settings, api_rate_limit=100_000), clock=clock
    )
    if plans is not None:
        use_plans(container, plans)
    async with AsyncTestClient(create_app(container)) as client:
        yield MeteredApi(client, container, clock, rsa_key)


def _period() -> str:
    return "2026-03"


@pytest.mark.plans(included_calls=3)
async def test_the_free_plan_stops_at_its_quota_and_the_upstream_sees_only_allowed_calls(
    api, upstream
):
    server_id = await api.server(upstream.url)

    statuses = [(await api.call(server_id)).status_code for _ in range(3)]
    refused = await api.call(server_id)

    assert statuses == [200, 200, 200]
    assert refused.status_code == 429
    error = refused.json()["error"]
    assert error["code"] == "RATE_LIMIT" and error["details"]["reason"] == "monthly_quota"
    seconds_to_april = int((datetime(2026, 4, 1, tzinfo=UTC) - MARCH).total_seconds())
    assert int(refused.headers["retry-after"]) == seconds_to_april
    assert len(upstream.received) == 3


async def test_the_real_free_quota_is_1000_calls(api, upstream):
    server_id = await api.server(upstream.url)
    await api.container.usage_meter().seed("user_a", _period(), UsageCounts(calls=999))

    assert (await api.call(server_id)).status_code == 200
    assert (await api.call(server_id)).json()["error"]["details"]["reason"] == "monthly_quota"
    assert len(upstream.received) == 1


async def test_cap_zero_stops_at_the_quota_and_null_removes_the_stop(api, upstream):
    server_id = await api.server(upstream.url)
    await api.set_plan("user_a", "starter")
    await api.container.usage_meter().seed("user_a", _period(), UsageCounts(calls=49_999))
    assert (await api.send("PUT", "/api/billing/budget", {"capEur": 0})).status_code == 200

    assert (await api.call(server_id)).status_code == 200
    blocked = await api.call(server_id)
    assert blocked.status_code == 429
    assert blocked.json()["error"]["details"]["reason"] == "budget_cap"

    removed = await api.send("POST", "/api/billing/budget", {"capEur": None})
    assert removed.json()["data"] == {"capEur": None}
    assert (await api.call(server_id)).status_code == 200
    assert len(upstream.received) == 2


@pytest.mark.plans(included_calls=2, overage_micro_eur_per_call=None)
async def test_the_period_rolls_over_at_the_utc_month_boundary(api, upstream):
    api.at(datetime(2026, 3, 31, 23, 59, 58, tzinfo=UTC))
    server_id = await api.server(upstream.url)
    assert [(await api.call(server_id)).status_code for _ in range(3)] == [200, 200, 429]
    refused = await api.call(server_id)
    assert refused.headers["retry-after"] == "2"

    api.at(datetime(2026, 4, 1, 0, 0, 0, tzinfo=UTC))

    assert (await api.call(server_id)).status_code == 200
    usage = (await api.get("/api/usage")).json()["data"]
    assert usage["periodStart"] == "2026-04-01T00:00:00Z"
    assert usage["periodEnd"] == "2026-05-01T00:00:00Z"
    assert (usage["requestsThisMonth"], usage["blockedRequests"]) == (1, 0)


async def test_after_a_downgrade_servers_past_the_limit_are_refused_until_some_are_deactivated(
    api, upstream
):
    await api.get("/api/usage")  # first sight creates the user
    await api.set_plan("user_a", "pro")
    created = []
    for i in range(3):
        api.clock.advance(seconds=1)  # "oldest" is by creation time
        created.append(await api.server(upstream.url, slug=f"pets-{i}"))
    oldest, middle, newest = created
    await api.set_plan("user_a", "free")  # free allows 2 active servers

    assert (await api.call(oldest)).status_code == 200
    assert (await api.call(middle)).status_code == 200
    refused = await api.call(newest)
    assert refused.status_code == 403
    assert refused.json()["error"]["details"] == {
        "reason": "plan_limit",
        "limit": 2,
        "current": 3,
        "plan": "free",
    }
    servers = (await api.get("/api/servers")).json()["data"]
    assert len(servers) == 3  # nothing was deleted

    patched = await api.send("PATCH", f"/api/servers/{middle}", {"isActive": False})
    assert patched.status_code == 200, patched.text

    assert (await api.call(newest)).status_code == 200
    assert len(upstream.received) == 3


async def test_unknown_tools_and_invalid_arguments_are_neither_counted_nor_logged(api, upstream):
    server_id = await api.server(upstream.url)

    assert (await api.call(server_id, tool="nope")).status_code == 404
    assert (await api.call(server_id, tool="showPetById")).status_code == 400  # petId missing

    usage = (await api.get("/api/usage")).json()["data"]
    assert (usage["requestsThisMonth"], usage["blockedRequests"]) == (0, 0)
    assert (await api.logs(server_id)).json()["data"] == []


async def test_usage_reports_every_figure_from_counters_and_logs(api, upstream):
    first = await api.server(upstream.url, name="Alpha", slug="alpha")
    second = await api.server(upstream.url, name="Beta", slug="beta")
    await api.set_plan("user_a", "starter")
    await api.container.usage_meter().seed("user_a", _period(), UsageCounts(calls=49_998))
    await api.send("PUT", "/api/billing/budget", {"capEur": 0.01})  # 200 overage calls
    for _ in range(3):
        assert (await api.call(first)).status_code == 200
    assert (await api.call(second, tool="showPetById", petId="missing")).status_code == 200
    await api.container.log_sink().flush()

    usage = (await api.get("/api/usage")).json()["data"]

    assert usage["plan"] == "starter"
    assert (usage["periodStart"], usage["periodEnd"]) == (
        "2026-03-01T00:00:00Z",
        "2026-04-01T00:00:00Z",
    )
    assert (usage["serverCount"], usage["activeServers"]) == (2, 2)
    assert usage["requestsThisMonth"] == 50_002
    assert usage["includedRequests"] == 50_000
    assert usage["overageRequests"] == 2
    assert usage["overageCostEur"] == 0.0001
    assert usage["budgetCapEur"] == 0.01
    assert usage["budgetRemainingEur"] == 0.0099
    assert (usage["blockedRequests"], usage["errorRequests"]) == (0, 1)
    alpha, beta = usage["byServer"]
    assert (alpha["serverId"], alpha["name"], alpha["requests"], alpha["errors"]) == (
        first,
        "Alpha",
        3,
        0,
    )
    assert (beta["serverId"], beta["requests"], beta["errors"]) == (second, 1, 1)
    assert alpha["p50Ms"] > 0 and alpha["p95Ms"] >= alpha["p50Ms"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"capEur": 1.234}, "capEur"),
        ({"capEur": -1}, "capEur"),
        ({"capEur": 10000.01}, "capEur"),
        ({"capEur": "5"}, "capEur"),
        ({"capEur": True}, "capEur"),
        ({}, "capEur"),
        ({"capEur": 5, "extra": 1}, "extra"),
    ],
)
async def test_an_invalid_cap_is_a_400_naming_the_field(api, body, field):
    response = await api.send("PUT", "/api/billing/budget", body)

    assert response.status_code == 400
    assert [p["path"] for p in response.json()["error"]["details"]] == [[field]]
    assert (await api.get("/api/billing/budget")).json()["data"] == {"capEur": None}


async def test_the_cap_is_kept_exactly(api):
    for sent, shown in [(12.34, 12.34), (0, 0), (10000, 10000), (0.1, 0.1), (7.50, 7.5)]:
        answer = await api.send("PUT", "/api/billing/budget", {"capEur": sent})
        assert answer.status_code == 200 and answer.json()["data"] == {"capEur": shown}
        assert (await api.get("/api/billing/budget")).json()["data"] == {"capEur": shown}
    raw = await api.client.put(
        "/api/billing/budget", content=b'{"capEur": 1.10e1}', headers=api.headers()
    )
    assert raw.json()["data"] == {"capEur": 11}

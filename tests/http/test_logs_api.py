"""GET /api/servers/{id}/logs: one row per metered call, secrets never kept (API.md §6)."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime

import msgspec
import pytest
from litestar.testing import AsyncTestClient

from adapters.system.system_clock import FixedClock
from entrypoints.config import Settings
from entrypoints.container import build_container
from entrypoints.http.app import create_app
from tests.http.metered_app import MeteredApi, echo_upstream, small_plans, use_plans
from tests.support.rsa_keys import RsaTestKey
from tests.support.threaded_upstream import threaded_upstream
from tests.support.upstream_server import UpstreamServer

SECRET = "sk_live_7f3a9c2e1b8d4f6a0e5c"
FIELDS = {
    "id",
    "serverId",
    "toolId",
    "toolName",
    "source",
    "requestId",
    "method",
    "path",
    "statusCode",
    "durationMs",
    "upstreamMs",
    "isError",
    "blocked",
    "errorCode",
    "errorMessage",
    "requestHeaders",
    "requestBody",
    "responseBody",
    "timestamp",
}


@pytest.fixture
def upstream() -> Iterator[UpstreamServer]:
    with threaded_upstream(echo_upstream) as server:
        yield server


@pytest.fixture
async def api(settings: Settings, rsa_key: RsaTestKey) -> AsyncIterator[MeteredApi]:
    clock = FixedClock(datetime(2026, 3, 14, 9, 30, tzinfo=UTC))
    container = build_container(
        msgspec.structs.replace(settings, api_rate_limit=100_000), clock=clock
    )
    use_plans(container, small_plans(included_calls=4))
    async with AsyncTestClient(create_app(container)) as client:
        yield MeteredApi(client, container, clock, rsa_key)


async def _keyed_server(api: MeteredApi, base_url: str) -> str:
    server_id = await api.server(
        base_url, authMode="api_key", authConfig={"in": "header", "name": "X-Api-Key"}
    )
    stored = await api.send(
        "POST",
        f"/api/servers/{server_id}/credentials",
        {"label": "k", "authType": "api_key", "plaintextKey": SECRET},
    )
    assert stored.status_code == 201, stored.text
    return server_id


async def test_logs_every_metered_call_newest_first_without_the_secret(api, upstream):
    server_id = await _keyed_server(api, upstream.url)
    await api.call(server_id, limit=2)
    api.clock.advance(seconds=1)
    await api.call(server_id, tool="showPetById", petId="missing")
    api.clock.advance(seconds=1)
    await api.call(server_id, tool="createPet", body={"id": 1, "name": SECRET})
    api.clock.advance(seconds=1)
    await api.call(server_id, limit=1)
    api.clock.advance(seconds=1)
    blocked = await api.call(server_id)  # the fifth call: past the quota of 4
    assert blocked.status_code == 429

    response = await api.logs(server_id)

    assert response.status_code == 200
    assert SECRET not in response.text
    rows = response.json()["data"]
    assert response.json()["meta"] == {"cursor": None, "limit": 50, "hasMore": False}
    assert [r["statusCode"] for r in rows] == [429, 200, 200, 404, 200]
    assert all(set(r) == FIELDS for r in rows)
    refused, _last, created, missing, first = rows
    assert (refused["blocked"], refused["isError"], refused["errorCode"]) == (
        True,
        True,
        "monthly_quota",
    )
    assert refused["upstreamMs"] is None and refused["path"] == "/pets"
    assert (first["method"], first["path"], first["toolName"]) == (
        "GET",
        "/pets?limit=2",
        "listPets",
    )
    assert (first["source"], first["serverId"], first["isError"]) == ("test", server_id, False)
    assert first["requestHeaders"]["X-Api-Key"] == "***"
    assert first["upstreamMs"] > 0 and first["durationMs"] >= first["upstreamMs"]
    assert first["timestamp"] == "2026-03-14T09:30:00Z"
    assert '"x-api-key": "***"' in first["responseBody"]  # the upstream echoed it
    assert (missing["isError"], missing["responseBody"]) == (True, '{"error": "no such pet"}')
    assert created["method"] == "POST" and "***" in created["requestBody"]


async def test_filters_combine_and_the_cursor_pages_through_everything(api, upstream):
    server_id = await api.server(upstream.url)
    for pet in ("a", "missing", "missing", "b"):
        await api.call(server_id, tool="showPetById", petId=pet)
        api.clock.advance(seconds=1)

    only = await api.logs(
        server_id,
        statusCode=404,
        method="get",
        toolName="showPetById",
        **{"from": "2026-03-14T09:30:01Z", "to": "2026-03-14T09:30:02Z"},
    )
    assert [r["path"] for r in only.json()["data"]] == ["/pets/missing"]

    seen, cursor, metas = [], None, []
    while True:
        query = {"limit": 3} | ({"cursor": cursor} if cursor else {})
        page = (await api.logs(server_id, **query)).json()
        seen += [r["id"] for r in page["data"]]
        metas.append(page["meta"]["hasMore"])
        cursor = page["meta"]["cursor"]
        if cursor is None:
            break
    assert metas == [True, False] and len(set(seen)) == len(seen) == 4


async def test_counted_calls_that_got_no_answer_are_logged_with_their_reason(api):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server_id = await api.server(f"http://127.0.0.1:{port}")
    assert (await api.call(server_id)).status_code == 502

    [row] = (await api.logs(server_id)).json()["data"]

    assert (row["statusCode"], row["errorCode"], row["isError"]) == (None, "connect", True)
    assert row["errorMessage"]


@pytest.mark.parametrize(
    "query",
    [
        {"cursor": "not-a-cursor"},
        {"cursor": "MXwxfA"},
        {"limit": 0},
        {"limit": 201},
        {"statusCode": 42},
        {"from": "yesterday"},
        {"to": "2026-03-14T09:30:00"},
        {"method": "FETCH"},
    ],
)
async def test_an_invalid_query_is_a_400(api, upstream, query):
    server_id = await api.server(upstream.url)

    response = await api.logs(server_id, **query)

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "VALIDATION_ERROR"


async def test_another_users_server_logs_are_not_found(api, upstream):
    server_id = await api.server(upstream.url)
    await api.call(server_id)

    assert (await api.logs(server_id, user="user_b")).status_code == 404
    assert (await api.logs("6f1c1d9e-3a4b-4c5d-8e9f-0a1b2c3d4e5f")).status_code == 404

"""/metrics (open, protected by a token, or off) and /ready with its checks."""

from __future__ import annotations

import msgspec
from litestar.testing import AsyncTestClient

from entrypoints.container import build_container
from entrypoints.http.app import create_app


async def _client(settings, **changes):
    return AsyncTestClient(
        create_app(build_container(msgspec.structs.replace(settings, **changes)))
    )


async def test_metrics_need_no_token_by_default(client):
    answer = await client.get("/metrics")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/plain")
    assert "specmcp_tool_calls_total" in answer.text


async def test_a_metrics_token_protects_them(settings):
    async with await _client(settings, metrics_token="scrape-secret") as client:
        assert (await client.get("/metrics")).status_code == 401
        wrong = await client.get("/metrics", headers={"Authorization": "Bearer nope"})
        assert wrong.status_code == 401
        right = await client.get("/metrics", headers={"Authorization": "Bearer scrape-secret"})
        assert right.status_code == 200


async def test_metrics_can_be_turned_off(settings):
    async with await _client(settings, metrics=False) as client:
        assert (await client.get("/metrics")).status_code == 404


async def test_metrics_are_not_in_the_api_document(client):
    document = (await client.get("/schema/openapi.json")).json()
    assert "/metrics" not in document["paths"]


async def test_ready_reports_redis_when_it_is_configured(settings):
    # Port 9 (discard) refuses connections: Redis is configured and unreachable.
    changes = {"ratelimit": "redis", "redis_url": "redis://127.0.0.1:9/0"}
    async with await _client(settings, **changes) as client:
        answer = await client.get("/ready")
    assert answer.status_code == 503
    checks = answer.json()["checks"]
    assert checks["database"] == "ok"
    assert checks["redis"].startswith("unavailable")

"""The /api rate limit per user (API.md §1.4)."""

from __future__ import annotations

from typing import Any

import msgspec
import pytest
from litestar.testing import AsyncTestClient

from entrypoints.container import build_container
from entrypoints.http.app import create_app


@pytest.fixture
async def limited_client(settings) -> Any:
    app = create_app(build_container(msgspec.structs.replace(settings, api_rate_limit=5)))
    async with AsyncTestClient(app) as client:
        yield client


async def test_refuses_past_the_limit_with_retry_after(limited_client, auth):
    headers = auth("busy")
    remaining = []
    for _ in range(5):
        response = await limited_client.get("/api/specs", headers=headers)
        assert response.status_code == 200
        assert response.headers["ratelimit-limit"] == "5"
        remaining.append(int(response.headers["ratelimit-remaining"]))
        assert 1 <= int(response.headers["ratelimit-reset"]) <= 60
    assert remaining == [4, 3, 2, 1, 0]
    refused = await limited_client.get("/api/specs", headers=headers)
    assert refused.status_code == 429
    assert refused.json()["error"]["code"] == "RATE_LIMIT"
    assert refused.json()["error"]["details"]["reason"] == "rate_limit"
    assert 1 <= int(refused.headers["retry-after"]) <= 60


async def test_each_user_has_a_separate_budget(limited_client, auth):
    for _ in range(5):
        await limited_client.get("/api/specs", headers=auth("first"))
    assert (await limited_client.get("/api/specs", headers=auth("first"))).status_code == 429
    assert (await limited_client.get("/api/specs", headers=auth("second"))).status_code == 200

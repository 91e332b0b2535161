"""One contract for every RateLimiter adapter: in-process memory and shared Redis."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest

from adapters.ratelimit.memory_rate_limiter import MemoryRateLimiter
from adapters.ratelimit.redis_rate_limiter import RedisRateLimiter

REDIS_URL = os.environ.get("SPECMCP_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def _redis_required() -> bool:
    return bool(os.environ.get("CI")) or os.environ.get("SPECMCP_REQUIRE_REDIS") == "1"


@pytest.fixture(params=["memory", pytest.param("redis", marks=pytest.mark.redis)])
async def limiter(request: pytest.FixtureRequest) -> AsyncIterator[Any]:
    if request.param == "memory":
        yield MemoryRateLimiter()
        return
    redis_limiter = RedisRateLimiter.from_url(REDIS_URL)
    try:
        await redis_limiter._client.ping()
    except Exception as exc:
        await redis_limiter.aclose()
        message = f"Redis unreachable at {REDIS_URL}: {exc!r}"
        if _redis_required():
            pytest.fail(message)
        pytest.skip(message)
    yield redis_limiter
    await redis_limiter.aclose()


def _key() -> str:
    return f"test:{uuid.uuid4()}"


async def test_allows_up_to_the_limit_then_refuses(limiter):
    key = _key()
    decisions = [await limiter.hit(key, 3, 60) for _ in range(5)]
    assert [d.allowed for d in decisions] == [True, True, True, False, False]
    assert [d.remaining for d in decisions] == [2, 1, 0, 0, 0]
    assert all(d.limit == 3 and 1 <= d.reset_seconds <= 60 for d in decisions)


async def test_keys_are_counted_apart(limiter):
    first, second = _key(), _key()
    for _ in range(2):
        await limiter.hit(first, 2, 60)
    assert not (await limiter.hit(first, 2, 60)).allowed
    assert (await limiter.hit(second, 2, 60)).allowed


async def test_concurrent_hits_never_pass_the_limit(limiter):
    key = _key()
    decisions = await asyncio.gather(*(limiter.hit(key, 25, 60) for _ in range(100)))
    assert sum(d.allowed for d in decisions) == 25


async def test_a_new_window_starts_afresh(limiter):
    key = _key()
    assert (await limiter.hit(key, 1, 1)).allowed
    refused = await limiter.hit(key, 1, 1)
    if refused.allowed:  # the second hit fell into the next one-second window
        return
    await asyncio.sleep(refused.reset_seconds + 0.05)
    assert (await limiter.hit(key, 1, 1)).allowed

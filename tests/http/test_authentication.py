"""401 for every kind of bad token (API.md §1.3); tokens minted here with a local RSA key."""

from __future__ import annotations

import time
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from entrypoints.config import Settings
from entrypoints.container import build_container
from entrypoints.http.app import create_app
from tests.support.jwks_server import JwksServer
from tests.support.rsa_keys import RsaTestKey, jwks_of


async def _assert_refused(client: Any, headers: dict[str, str]) -> None:
    response = await client.get("/api/specs", headers=headers)
    assert response.status_code == 401
    body = response.json()
    assert body["success"] is False and body["error"]["code"] == "AUTH_ERROR"
    assert response.headers["www-authenticate"].startswith("Bearer")


async def test_missing_token(client):
    await _assert_refused(client, {})


async def test_not_a_bearer_scheme(client, mint):
    await _assert_refused(client, {"Authorization": f"Basic {mint()}"})


async def test_garbage_token(client):
    await _assert_refused(client, {"Authorization": "Bearer not.a.jwt"})


async def test_expired_token(client, mint):
    now = int(time.time())
    await _assert_refused(
        client, {"Authorization": f"Bearer {mint(exp=now - 60, iat=now - 120, nbf=now - 120)}"}
    )


async def test_token_signed_by_another_key(client):
    other = RsaTestKey("kid-test")
    now = int(time.time())
    token = other.mint(
        {"sub": "u", "iss": "https://clerk.specmcp.test", "iat": now, "exp": now + 60}
    )
    await _assert_refused(client, {"Authorization": f"Bearer {token}"})


async def test_wrong_issuer(client, mint):
    await _assert_refused(client, {"Authorization": f"Bearer {mint(iss='https://evil.test')}"})


async def test_a_good_token_creates_the_user_on_first_sight(client, auth):
    response = await client.get("/api/specs", headers=auth("user_new"))
    assert response.status_code == 200


@pytest.fixture
def jwks_key() -> RsaTestKey:
    return RsaTestKey("kid-jwks")


async def test_tokens_verified_against_a_locally_served_jwks(jwks_key):
    with JwksServer(jwks_of(jwks_key)) as server:
        settings = Settings(
            persistence="memory", identity="clerk", clerk_jwks_url=server.url, auto_migrate=False
        )
        async with AsyncTestClient(create_app(build_container(settings))) as client:
            now = int(time.time())
            good = jwks_key.mint({"sub": "u1", "iat": now, "exp": now + 60})
            for _ in range(3):
                response = await client.get(
                    "/api/specs", headers={"Authorization": f"Bearer {good}"}
                )
                assert response.status_code == 200
            stranger = RsaTestKey("kid-jwks").mint({"sub": "u1", "iat": now, "exp": now + 60})
            await _assert_refused(client, {"Authorization": f"Bearer {stranger}"})
        assert server.requests == 1

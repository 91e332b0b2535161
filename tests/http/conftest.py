"""An app on in-memory persistence with Clerk identity on a locally generated RSA key."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from entrypoints.config import Settings
from entrypoints.container import build_container
from entrypoints.http.app import create_app
from tests.support.rsa_keys import RsaTestKey

ISSUER = "https://clerk.specmcp.test"


@pytest.fixture(scope="session")
def rsa_key() -> RsaTestKey:
    return RsaTestKey("kid-test")


@pytest.fixture
def settings(rsa_key: RsaTestKey) -> Settings:
    return Settings(
        persistence="memory",
        identity="clerk",
        clerk_jwt_key=rsa_key.public_pem,
        clerk_issuer=ISSUER,
        outbound_allow_cidrs=("127.0.0.0/8",),
        auto_migrate=False,
    )


@pytest.fixture
def mint(rsa_key: RsaTestKey) -> Callable[..., str]:
    def _mint(user: str = "user_a", **claims: Any) -> str:
        now = int(time.time())
        base = {"sub": user, "iss": ISSUER, "iat": now, "nbf": now, "exp": now + 600}
        base.update(claims)
        return rsa_key.mint({k: v for k, v in base.items() if v is not None})

    return _mint


@pytest.fixture
def auth(mint: Callable[..., str]) -> Callable[[str], dict[str, str]]:
    def _auth(user: str = "user_a") -> dict[str, str]:
        return {"Authorization": f"Bearer {mint(user)}"}

    return _auth


@pytest.fixture
async def client(settings: Settings) -> AsyncIterator[AsyncTestClient[Any]]:
    app = create_app(build_container(settings))
    async with AsyncTestClient(app) as test_client:
        yield test_client

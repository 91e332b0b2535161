"""An app that never leaves the machine: memory persistence, Clerk identity on a local key, and
an outbound guard whose resolver answers `localhost` only (fuzzed URLs never reach DNS)."""

from __future__ import annotations

import socket
import time
from collections.abc import Sequence
from typing import Any

from adapters.outbound.guarded_client import GuardedHttpClient, build_guarded_client
from adapters.outbound.url_policy import GuardedBaseUrlPolicy
from entrypoints.config import Settings
from entrypoints.container import Container, build_container
from tests.support.rsa_keys import RsaTestKey

__all__ = ["ISSUER", "LOOPBACK", "TokenMint", "offline_container", "offline_resolver"]

ISSUER = "https://clerk.specmcp.test"
LOOPBACK = ("127.0.0.0/8",)


async def offline_resolver(host: str, port: int) -> Sequence[str]:
    """`localhost` is 127.0.0.1; every other name fails as an unknown host would."""
    if host.lower().rstrip(".") == "localhost":
        return ["127.0.0.1"]
    raise socket.gaierror(socket.EAI_NONAME, "offline test resolver")


def offline_container(
    key: RsaTestKey, *, total_timeout: float = 30.0, **settings: Any
) -> Container:
    """A container on memory persistence whose outbound requests only reach 127.0.0.0/8."""
    fields: dict[str, Any] = {
        "persistence": "memory",
        "identity": "clerk",
        "clerk_jwt_key": key.public_pem,
        "clerk_issuer": ISSUER,
        "outbound_allow_cidrs": LOOPBACK,
        "auto_migrate": False,
        "api_rate_limit": 1_000_000,
        **settings,
    }
    client: GuardedHttpClient = build_guarded_client(
        LOOPBACK, resolver=offline_resolver, total_timeout=total_timeout
    )
    return build_container(
        Settings(**fields),
        outbound_client=client,
        url_policy=GuardedBaseUrlPolicy(LOOPBACK, resolver=offline_resolver),
    )


class TokenMint:
    """Clerk session tokens for test users, signed by the local key."""

    def __init__(self, key: RsaTestKey) -> None:
        self._key = key

    def token(self, user: str) -> str:
        now = int(time.time())
        claims = {"sub": user, "iss": ISSUER, "iat": now, "nbf": now, "exp": now + 3600}
        return self._key.mint(claims)

    def headers(self, user: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(user)}"}

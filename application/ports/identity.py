"""IdentityVerifier: turns a bearer token into the caller's identity."""

from __future__ import annotations

from typing import Protocol

import msgspec

__all__ = ["Identity", "IdentityVerifier"]


class Identity(msgspec.Struct, frozen=True):
    """Who the token says the caller is."""

    subject: str
    email: str | None = None
    name: str | None = None


class IdentityVerifier(Protocol):
    """Checks a session token.

    Raises:
        AuthenticationFailed: for any token that is missing, malformed, expired, badly signed
            or otherwise invalid. The message says what, never the token.
    """

    async def verify(self, token: str) -> Identity: ...

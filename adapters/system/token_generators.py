"""Token generators: the OS's cryptographic source, and a predictable one for tests."""

from __future__ import annotations

import secrets

__all__ = ["CountingTokenGenerator", "SecretsTokenGenerator"]


class SecretsTokenGenerator:
    """256-bit access tokens and 128-bit endpoint ids from `secrets`."""

    def new_access_token(self) -> str:
        return "smcp_" + secrets.token_urlsafe(32)

    def new_endpoint_id(self) -> str:
        return secrets.token_urlsafe(16)


class CountingTokenGenerator:
    """Distinct, readable values for tests (never for production)."""

    def __init__(self) -> None:
        self._n = 0

    def new_access_token(self) -> str:
        self._n += 1
        return f"smcp_test_token_{self._n:043d}"

    def new_endpoint_id(self) -> str:
        self._n += 1
        return f"ep{self._n:020d}"

"""TokenGenerator: random server access tokens and endpoint ids."""

from __future__ import annotations

from typing import Protocol

__all__ = ["TokenGenerator"]


class TokenGenerator(Protocol):
    """Random, URL-safe values from a cryptographic source."""

    def new_access_token(self) -> str:
        """At least 256 random bits."""

    def new_endpoint_id(self) -> str:
        """At least 128 random bits, URL-safe."""

"""Outbound ports: base URL checks, upstream HTTP, and OAuth client-credentials tokens."""

from __future__ import annotations

from collections.abc import Collection
from typing import Protocol

import msgspec

from domain.execution.upstream_request import UpstreamRequest

__all__ = [
    "BaseUrlPolicy",
    "ClientCredentialsGrant",
    "OAuthTokenSource",
    "OutboundHttp",
    "UpstreamResponse",
]


class BaseUrlPolicy(Protocol):
    """A write-time check of an upstream base URL (the guard checks again at call time).

    Raises:
        UpstreamUnavailable: reason `blocked_address` when the host is, or resolves to, an
            address the guard refuses. A host that does not resolve now is accepted.
    """

    async def check(self, url: str) -> None: ...


class UpstreamResponse(msgspec.Struct, frozen=True):
    """What an upstream answered (the body possibly cut at the limit, then `truncated`)."""

    status: int
    headers: tuple[tuple[str, str], ...]
    content: bytes
    truncated: bool
    elapsed_ms: float

    def header(self, name: str) -> str | None:
        wanted = name.lower()
        return next((v for k, v in self.headers if k.lower() == wanted), None)


class OutboundHttp(Protocol):
    """Sends a request to a user-supplied URL through the outbound guard (API.md §8).

    Raises:
        UpstreamUnavailable: refused address, DNS, connect, timeout or unusable answer.
    """

    async def send(
        self,
        request: UpstreamRequest,
        *,
        secret_headers: Collection[str] = (),
        secret_query_params: Collection[str] = (),
        body_limit: int,
    ) -> UpstreamResponse: ...


class ClientCredentialsGrant(msgspec.Struct, frozen=True):
    """What an OAuth 2.0 client-credentials token request needs."""

    credential_id: str
    token_url: str
    client_id: str
    client_secret: str
    scopes: tuple[str, ...] = ()


class OAuthTokenSource(Protocol):
    """Access tokens for client-credentials grants, cached until shortly before they expire.

    Concurrent requests for the same grant share one token request.

    Raises:
        UpstreamUnavailable: the token endpoint could not be reached or refused the client.
    """

    async def access_token(self, grant: ClientCredentialsGrant) -> str: ...

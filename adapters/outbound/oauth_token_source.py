"""OAuth 2.0 client-credentials tokens, fetched through the outbound guard and cached."""

from __future__ import annotations

import asyncio
import base64
import time
from collections.abc import Callable
from urllib.parse import quote, urlencode

import msgspec

from adapters.outbound.guarded_client import GuardedHttpClient
from application.ports.outbound import ClientCredentialsGrant
from domain.errors import UpstreamUnavailable

__all__ = ["GuardedOAuthTokenSource"]

# Refresh this long before the token's own expiry, so a call never leaves with a token that
# expires on the way.
_EARLY_SECONDS = 30.0
_DEFAULT_LIFETIME = 300.0
_TOKEN_BODY_LIMIT = 64 * 1024


class _TokenAnswer(msgspec.Struct):
    access_token: str
    expires_in: float | None = None


class GuardedOAuthTokenSource:
    """Caches tokens per grant until shortly before expiry; one fetch per grant at a time."""

    def __init__(
        self, client: GuardedHttpClient, monotonic: Callable[[], float] = time.monotonic
    ) -> None:
        self._client = client
        self._now = monotonic
        self._tokens: dict[ClientCredentialsGrant, tuple[str, float]] = {}
        self._locks: dict[ClientCredentialsGrant, asyncio.Lock] = {}

    async def access_token(self, grant: ClientCredentialsGrant) -> str:
        cached = self._fresh(grant)
        if cached is not None:
            return cached
        lock = self._locks.setdefault(grant, asyncio.Lock())
        async with lock:
            cached = self._fresh(grant)  # another task may have fetched it meanwhile
            if cached is not None:
                return cached
            token, lifetime = await self._fetch(grant)
            self._forget_other_versions(grant)
            self._tokens[grant] = (token, self._now() + max(0.0, lifetime - _EARLY_SECONDS))
            return token

    def _fresh(self, grant: ClientCredentialsGrant) -> str | None:
        entry = self._tokens.get(grant)
        if entry is None or entry[1] <= self._now():
            return None
        return entry[0]

    def _forget_other_versions(self, grant: ClientCredentialsGrant) -> None:
        # A credential replaced or re-scoped leaves its old grant behind: drop it.
        for old in [g for g in self._tokens if g.credential_id == grant.credential_id]:
            del self._tokens[old]
            self._locks.pop(old, None)

    async def _fetch(self, grant: ClientCredentialsGrant) -> tuple[str, float]:
        if not grant.token_url.startswith("https://") and not grant.token_url.startswith("http://"):
            raise UpstreamUnavailable("No token endpoint is configured.", reason="bad_response")
        # RFC 6749 §2.3.1: client_secret_basic, with form-encoded id and secret.
        basic = base64.b64encode(
            f"{quote(grant.client_id, safe='')}:{quote(grant.client_secret, safe='')}".encode()
        ).decode()
        form = {"grant_type": "client_credentials"}
        if grant.scopes:
            form["scope"] = " ".join(grant.scopes)
        answer = await self._client.request(
            "POST",
            grant.token_url,
            headers={
                "Authorization": f"Basic {basic}",
                "Content-Type": "application/x-www-form-urlencoded",
                "Accept": "application/json",
            },
            content=urlencode(form).encode(),
            body_limit=_TOKEN_BODY_LIMIT,
            over_limit="refuse",
        )
        if not 200 <= answer.status < 300:
            raise UpstreamUnavailable(
                f"The token endpoint refused the client credentials (HTTP {answer.status}).",
                reason="bad_response",
            )
        try:
            parsed = msgspec.json.decode(answer.content, type=_TokenAnswer)
        except (msgspec.DecodeError, UnicodeDecodeError, RecursionError):
            raise UpstreamUnavailable(
                "The token endpoint answered without an access_token.", reason="bad_response"
            ) from None
        lifetime = parsed.expires_in if parsed.expires_in else _DEFAULT_LIFETIME
        return parsed.access_token, float(lifetime)

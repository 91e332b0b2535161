"""JwksKeySource: RS256 signing keys from a JWKS URL, cached, refreshed sparingly."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Callable, Mapping
from typing import Any

import httpx
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey
from jwt.algorithms import RSAAlgorithm

from domain.errors import AuthenticationFailed

__all__ = ["JwksKeySource"]

_log = logging.getLogger(__name__)

# A JWKS is a handful of keys; anything far larger is not one.
_MAX_JWKS_BYTES = 1024 * 1024


class JwksKeySource:
    """Looks up RSA public keys by `kid` in a JSON Web Key Set fetched over HTTP.

    Keys are cached for `ttl` seconds. An unknown `kid` triggers a refetch (key rotation), but at
    most once per `min_refetch_interval` seconds, so tokens with made-up kids cannot force a
    fetch per request. A failed fetch keeps the last good keys. Concurrent refreshes share one
    fetch.

    Args:
        url: The JWKS URL (for Clerk, `https://<instance>/.well-known/jwks.json`).
        client: HTTP client to use; when omitted one is created and closed by `aclose`.
        ttl: Seconds a fetched key set is trusted before it is refetched.
        min_refetch_interval: Least seconds between two fetch attempts (after the first).
        timeout: Seconds allowed for one fetch.
        monotonic: Time source for the cache, in seconds (injectable for tests).

    Raises:
        ValueError: at construction, when `url` is not an http(s) URL.
    """

    def __init__(
        self,
        url: str,
        *,
        client: httpx.AsyncClient | None = None,
        ttl: float = 300.0,
        min_refetch_interval: float = 30.0,
        timeout: float = 5.0,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        if httpx.URL(url).scheme not in {"http", "https"}:
            raise ValueError("the JWKS URL must be http(s)")
        self._url = url
        self._client = client
        self._owns_client = client is None
        self._ttl = ttl
        self._min_interval = min_refetch_interval
        self._timeout = timeout
        self._monotonic = monotonic
        self._keys: dict[str, RSAPublicKey] = {}
        self._fetched_at: float | None = None
        self._attempted_at: float | None = None
        self._attempts = 0
        self._lock = asyncio.Lock()

    async def key_for(self, kid: str) -> RSAPublicKey:
        """Return the key named `kid`, fetching the key set when stale or when `kid` is new.

        Raises:
            AuthenticationFailed: no such key, or no key set could be fetched yet.
        """
        if not kid:
            raise AuthenticationFailed("token header has no key id")
        now = self._monotonic()
        stale = self._fetched_at is None or now - self._fetched_at >= self._ttl
        known = kid in self._keys
        if self._lock.locked():
            # A fetch is in flight: wait for it only when the cached keys cannot answer.
            if not known:
                await self._refresh(self._attempts)
        elif (stale or not known) and self._may_fetch(now):
            await self._refresh(self._attempts)
        key = self._keys.get(kid)
        if key is not None:
            return key
        if self._fetched_at is None:
            raise AuthenticationFailed("signing keys unavailable")
        raise AuthenticationFailed("unknown signing key")

    async def aclose(self) -> None:
        """Close the HTTP client if this source created it."""
        if self._owns_client and self._client is not None:
            await self._client.aclose()
            self._client = None

    def _may_fetch(self, now: float) -> bool:
        return self._attempted_at is None or now - self._attempted_at >= self._min_interval

    async def _refresh(self, attempts_seen: int) -> None:
        async with self._lock:
            # Whoever held the lock before us just fetched: share their result.
            if self._attempts != attempts_seen:
                return
            previous_attempt = self._attempted_at
            self._attempted_at = self._monotonic()
            try:
                keys = _parse_jwks(await self._fetch())
            except asyncio.CancelledError:
                # A cancelled caller learned nothing: the next caller may try at once.
                self._attempted_at = previous_attempt
                raise
            except (httpx.HTTPError, ValueError) as error:
                _log.warning(
                    "JWKS fetch from %s failed, keeping last good keys: %s", self._url, error
                )
            else:
                self._keys = keys
                self._fetched_at = self._monotonic()
            # Counted once the attempt is over, so callers queued behind it skip theirs.
            self._attempts += 1

    async def _fetch(self) -> bytes:
        if self._client is None:
            self._client = httpx.AsyncClient()
        response = await self._client.get(
            self._url, timeout=self._timeout, headers={"Accept": "application/json"}
        )
        if response.status_code != 200:
            raise ValueError(f"JWKS answered HTTP {response.status_code}")
        if len(response.content) > _MAX_JWKS_BYTES:
            raise ValueError("JWKS response too large")
        return response.content


def _parse_jwks(body: bytes) -> dict[str, RSAPublicKey]:
    """Return the usable RS256 signing keys of a JWKS document, by kid.

    Raises:
        ValueError: not a JWKS, or no usable key in it (so the last good keys are kept).
    """
    document = json.loads(body)
    entries = document.get("keys") if isinstance(document, Mapping) else None
    if not isinstance(entries, list):
        raise ValueError("JWKS document has no keys list")
    keys = {}
    for entry in entries:
        parsed = _rsa_signing_key(entry)
        if parsed is not None:
            keys[parsed[0]] = parsed[1]
    if not keys:
        raise ValueError("JWKS document has no usable RS256 key")
    return keys


def _rsa_signing_key(entry: Any) -> tuple[str, RSAPublicKey] | None:
    # Other key types, encryption keys and keys meant for other algorithms are skipped rather
    # than failing the whole set, so one odd entry cannot lock every user out.
    if not isinstance(entry, Mapping) or entry.get("kty") != "RSA":
        return None
    kid = entry.get("kid")
    if not isinstance(kid, str) or not kid:
        return None
    if entry.get("use", "sig") != "sig" or entry.get("alg", "RS256") != "RS256":
        return None
    try:
        key = RSAAlgorithm.from_jwk(dict(entry))
    except Exception:  # PyJWT raises several types for a bad JWK; any of them means skip it
        return None
    return (kid, key) if isinstance(key, RSAPublicKey) else None

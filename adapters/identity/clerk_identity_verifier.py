"""ClerkIdentityVerifier: checks Clerk session tokens (RS256 JWTs) with PyJWT."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from typing import Protocol

import httpx
import jwt
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey
from cryptography.hazmat.primitives.serialization import load_pem_public_key

from adapters.identity.jwks_key_source import JwksKeySource
from adapters.identity.jwt_claims import (
    DEFAULT_LEEWAY,
    SIGNATURE_ONLY_OPTIONS,
    SystemClock,
    check_time_claims,
    identity_from_claims,
    read_header,
)
from application.ports.clock import Clock
from application.ports.identity import Identity
from domain.errors import AuthenticationFailed

__all__ = ["ClerkIdentityVerifier", "PemKeySource", "SigningKeySource"]

_ALGORITHM = "RS256"


class SigningKeySource(Protocol):
    """Where the verifier finds the RSA public key that signed a token."""

    async def key_for(self, kid: str) -> RSAPublicKey:
        """Return the key for `kid`, or raise AuthenticationFailed."""
        ...

    async def aclose(self) -> None:
        """Release whatever the source holds."""
        ...


class PemKeySource:
    """One configured PEM public key (Clerk's "JWT public key"): no network call, any kid.

    Raises:
        ValueError: at construction, when the PEM is not an RSA public key.
    """

    def __init__(self, pem: str | bytes) -> None:
        data = pem.encode() if isinstance(pem, str) else pem
        key = load_pem_public_key(data)
        if not isinstance(key, RSAPublicKey):
            raise ValueError("the Clerk JWT key must be an RSA public key")
        self._key = key

    async def key_for(self, kid: str) -> RSAPublicKey:
        """Return the configured key whatever `kid` says."""
        return self._key

    async def aclose(self) -> None:
        """Nothing to release."""


class ClerkIdentityVerifier:
    """Verifies Clerk session tokens: RS256 signature, exp/nbf/iat, sub, iss and azp.

    Build it with `from_pem` (networkless) or `from_jwks_url`.

    Args:
        keys: Where signing keys come from.
        issuer: Expected `iss`, exact match; not checked when None.
        authorized_parties: Allowed `azp` values; not checked when empty. As in Clerk's SDKs,
            a token without `azp` passes, a token whose `azp` is not listed is refused.
        clock: Time source for exp/nbf/iat; the system clock when None.
        leeway: Clock skew tolerated on exp, nbf and iat.
    """

    def __init__(
        self,
        keys: SigningKeySource,
        *,
        issuer: str | None = None,
        authorized_parties: Iterable[str] = (),
        clock: Clock | None = None,
        leeway: timedelta = DEFAULT_LEEWAY,
    ) -> None:
        self._keys = keys
        self._issuer = issuer or None
        self._parties = frozenset(party for party in authorized_parties if party)
        self._clock: Clock = clock or SystemClock()
        self._leeway = leeway

    @classmethod
    def from_pem(
        cls,
        pem: str | bytes,
        *,
        issuer: str | None = None,
        authorized_parties: Iterable[str] = (),
        clock: Clock | None = None,
        leeway: timedelta = DEFAULT_LEEWAY,
    ) -> ClerkIdentityVerifier:
        """Verify against one PEM public key, with no network call."""
        return cls(
            PemKeySource(pem),
            issuer=issuer,
            authorized_parties=authorized_parties,
            clock=clock,
            leeway=leeway,
        )

    @classmethod
    def from_jwks_url(
        cls,
        url: str,
        *,
        client: httpx.AsyncClient | None = None,
        issuer: str | None = None,
        authorized_parties: Iterable[str] = (),
        clock: Clock | None = None,
        leeway: timedelta = DEFAULT_LEEWAY,
    ) -> ClerkIdentityVerifier:
        """Verify against the keys of a JWKS URL, cached (see JwksKeySource)."""
        return cls(
            JwksKeySource(url, client=client),
            issuer=issuer,
            authorized_parties=authorized_parties,
            clock=clock,
            leeway=leeway,
        )

    async def verify(self, token: str) -> Identity:
        """Return the identity a valid Clerk session token names.

        Raises:
            AuthenticationFailed: for any invalid token; the message says what is wrong.
        """
        header = read_header(token, _ALGORITHM)
        kid = header.get("kid")
        if not isinstance(kid, str) or not kid:
            kid = ""  # a PEM source ignores it; a JWKS source reports an unknown key
        key = await self._keys.key_for(kid)
        try:
            claims = jwt.decode(
                token, key=key, algorithms=[_ALGORITHM], options=SIGNATURE_ONLY_OPTIONS
            )
        except jwt.InvalidSignatureError:
            raise AuthenticationFailed("bad signature") from None
        except jwt.PyJWTError:
            raise AuthenticationFailed("malformed token") from None
        check_time_claims(claims, self._clock.now(), self._leeway)
        identity = identity_from_claims(claims)
        if self._issuer is not None and claims.get("iss") != self._issuer:
            raise AuthenticationFailed("wrong issuer")
        azp = claims.get("azp")
        if (
            self._parties
            and azp is not None
            and (not isinstance(azp, str) or azp not in self._parties)
        ):
            raise AuthenticationFailed("unauthorized party (azp)")
        return identity

    async def aclose(self) -> None:
        """Release the key source (the JWKS HTTP client when this verifier created it)."""
        await self._keys.aclose()

"""DevIdentityVerifier: HS256 tokens signed with a local secret, for local use and tests."""

from __future__ import annotations

from datetime import datetime, timedelta

import jwt

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

__all__ = ["DEV_ISSUER", "DevIdentityVerifier", "mint_dev_token"]

DEV_ISSUER = "specmcp-dev"

_ALGORITHM = "HS256"
# HS256 is only as strong as its secret; RFC 7518 asks for at least the hash size.
_MIN_SECRET_BYTES = 32


def mint_dev_token(
    user_id: str,
    secret: str | bytes,
    ttl: timedelta = timedelta(hours=12),
    *,
    now: datetime | None = None,
    email: str | None = None,
    name: str | None = None,
) -> str:
    """Return a dev token whose `sub` is `user_id`, valid for `ttl` from `now`.

    Args:
        user_id: The subject (the user id the token stands for).
        secret: The local signing secret (at least 32 bytes).
        ttl: How long the token is valid.
        now: Issue time; the system clock when None.
        email: Optional email claim.
        name: Optional name claim.

    Raises:
        ValueError: empty user id, short secret or non-positive ttl.
    """
    if not user_id:
        raise ValueError("a dev token needs a user id")
    if ttl <= timedelta(0):
        raise ValueError("a dev token needs a positive ttl")
    issued = now or SystemClock().now()
    claims: dict[str, object] = {
        "iss": DEV_ISSUER,
        "sub": user_id,
        "iat": int(issued.timestamp()),
        "nbf": int(issued.timestamp()),
        "exp": int((issued + ttl).timestamp()),
    }
    if email:
        claims["email"] = email
    if name:
        claims["name"] = name
    return jwt.encode(claims, _secret_bytes(secret), algorithm=_ALGORITHM)


class DevIdentityVerifier:
    """Verifies dev tokens: HS256 with the local secret, issuer `specmcp-dev`, exp/nbf/iat, sub.

    Never accepts a Clerk token (RS256), and the Clerk adapter never accepts these.

    Args:
        secret: The local signing secret (at least 32 bytes).
        clock: Time source for exp/nbf/iat; the system clock when None.
        leeway: Clock skew tolerated on exp, nbf and iat.

    Raises:
        ValueError: at construction, when the secret is shorter than 32 bytes.
    """

    def __init__(
        self,
        secret: str | bytes,
        *,
        clock: Clock | None = None,
        leeway: timedelta = DEFAULT_LEEWAY,
    ) -> None:
        self._secret = _secret_bytes(secret)
        self._clock: Clock = clock or SystemClock()
        self._leeway = leeway

    async def verify(self, token: str) -> Identity:
        """Return the identity a valid dev token names.

        Raises:
            AuthenticationFailed: for any invalid token; the message says what is wrong.
        """
        read_header(token, _ALGORITHM)
        try:
            claims = jwt.decode(
                token, key=self._secret, algorithms=[_ALGORITHM], options=SIGNATURE_ONLY_OPTIONS
            )
        except jwt.InvalidSignatureError:
            raise AuthenticationFailed("bad signature") from None
        except jwt.PyJWTError:
            raise AuthenticationFailed("malformed token") from None
        check_time_claims(claims, self._clock.now(), self._leeway)
        identity = identity_from_claims(claims)
        if claims.get("iss") != DEV_ISSUER:
            raise AuthenticationFailed("wrong issuer")
        return identity

    async def aclose(self) -> None:
        """Nothing to release; present so both identity adapters close alike."""


def _secret_bytes(secret: str | bytes) -> bytes:
    data = secret.encode() if isinstance(secret, str) else secret
    if len(data) < _MIN_SECRET_BYTES:
        raise ValueError(f"the dev token secret must be at least {_MIN_SECRET_BYTES} bytes")
    return data

"""Checks shared by the JWT identity adapters: token shape, time claims, subject."""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import jwt

from application.ports.identity import Identity
from domain.errors import AuthenticationFailed

if TYPE_CHECKING:
    from jwt.types import Options

__all__ = [
    "DEFAULT_LEEWAY",
    "MAX_TOKEN_LENGTH",
    "SIGNATURE_ONLY_OPTIONS",
    "SystemClock",
    "check_time_claims",
    "identity_from_claims",
    "read_header",
]

DEFAULT_LEEWAY = timedelta(seconds=5)

# Session tokens are a few KiB at most; refusing huge input early keeps parsing cheap.
MAX_TOKEN_LENGTH = 16 * 1024

# PyJWT checks the signature only: the time and identity claims are checked here against an
# injected clock, so tests control time and every failure gets one clear message.
SIGNATURE_ONLY_OPTIONS: Options = {
    "verify_signature": True,
    "verify_exp": False,
    "verify_nbf": False,
    "verify_iat": False,
    "verify_aud": False,
    "verify_iss": False,
    "verify_sub": False,
    "verify_jti": False,
}

_MAX_SUBJECT_LENGTH = 255


class SystemClock:
    """The wall clock, for callers that inject none."""

    def now(self) -> datetime:
        """Return the current aware UTC time."""
        return datetime.now(UTC)


def read_header(token: object, expected_alg: str) -> dict[str, Any]:
    """Return the unverified header of `token` after checking its shape and algorithm.

    Raises:
        AuthenticationFailed: missing, oversized or malformed token, or another algorithm.
    """
    if not isinstance(token, str) or not token.strip():
        raise AuthenticationFailed("missing token")
    if len(token) > MAX_TOKEN_LENGTH:
        raise AuthenticationFailed("token too large")
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError:
        raise AuthenticationFailed("malformed token") from None
    # Checked before any key is chosen: this is what stops `none` and HS/RS key confusion.
    if header.get("alg") != expected_alg:
        raise AuthenticationFailed(f"unsupported token algorithm (expected {expected_alg})")
    return header


def check_time_claims(claims: Mapping[str, Any], now: datetime, leeway: timedelta) -> None:
    """Check `exp` (required), `nbf` and `iat` against `now`, allowing `leeway` either way.

    Raises:
        AuthenticationFailed: a missing or non-numeric `exp`, or a token outside its validity.
    """
    moment = now.timestamp()
    slack = leeway.total_seconds()
    exp = _numeric(claims, "exp", required=True)
    nbf = _numeric(claims, "nbf", required=False)
    iat = _numeric(claims, "iat", required=False)
    if exp is not None and exp <= moment - slack:
        raise AuthenticationFailed("token expired")
    if nbf is not None and nbf > moment + slack:
        raise AuthenticationFailed("token not yet valid")
    if iat is not None and iat > moment + slack:
        raise AuthenticationFailed("token issued in the future")


def identity_from_claims(claims: Mapping[str, Any]) -> Identity:
    """Build the Identity from a verified token's claims (`sub` required, email/name optional).

    Raises:
        AuthenticationFailed: `sub` missing, empty, not a string or too long.
    """
    subject = claims.get("sub")
    if not isinstance(subject, str) or not subject.strip():
        raise AuthenticationFailed("token has no subject")
    if len(subject) > _MAX_SUBJECT_LENGTH:
        raise AuthenticationFailed("token subject too long")
    return Identity(
        subject=subject,
        email=_optional_text(claims, "email"),
        name=_optional_text(claims, "name"),
    )


def _numeric(claims: Mapping[str, Any], name: str, *, required: bool) -> float | None:
    value = claims.get(name)
    if value is None:
        if required:
            raise AuthenticationFailed(f"token has no {name} claim")
        return None
    # bool is an int subclass, and Python's JSON accepts NaN/Infinity, which compare false
    # against everything and would let a token never expire.
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise AuthenticationFailed(f"token {name} claim is not a number")
    return float(value)


def _optional_text(claims: Mapping[str, Any], name: str) -> str | None:
    value = claims.get(name)
    return value if isinstance(value, str) and value else None

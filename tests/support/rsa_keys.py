"""RSA keys for tests: generate one, publish it as PEM or JWK, mint tokens with it."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

__all__ = ["RsaTestKey", "forge_hs256", "jwks_of", "unsigned_token"]


@dataclass(frozen=True)
class RsaTestKey:
    """A freshly generated 2048-bit RSA key pair named `kid`."""

    kid: str
    private_key: rsa.RSAPrivateKey = field(
        default_factory=lambda: rsa.generate_private_key(public_exponent=65537, key_size=2048),
        repr=False,
    )

    @property
    def public_pem(self) -> str:
        """The public key as PEM (what CLERK_JWT_KEY holds)."""
        return (
            self.private_key.public_key()
            .public_bytes(
                serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
            )
            .decode()
        )

    @property
    def jwk(self) -> dict[str, Any]:
        """The public key as a JWK, as Clerk publishes it."""
        entry: dict[str, Any] = json.loads(RSAAlgorithm.to_jwk(self.private_key.public_key()))
        return {**entry, "kid": self.kid, "use": "sig", "alg": "RS256"}

    def mint(
        self,
        claims: Mapping[str, Any],
        *,
        kid: str | None = None,
        headers: Mapping[str, Any] | None = None,
    ) -> str:
        """Sign `claims` with RS256; the header's kid is this key's unless `kid` says otherwise."""
        header = {"kid": kid if kid is not None else self.kid, **(headers or {})}
        return jwt.encode(dict(claims), self.private_key, algorithm="RS256", headers=header)


def jwks_of(*keys: RsaTestKey) -> dict[str, Any]:
    """The JWKS document publishing `keys`."""
    return {"keys": [key.jwk for key in keys]}


def unsigned_token(claims: Mapping[str, Any], header: Mapping[str, Any] | None = None) -> str:
    """An `alg: none` token (no signature), the classic forgery."""
    full_header = {"alg": "none", "typ": "JWT", **(header or {})}
    return f"{_b64(json.dumps(full_header).encode())}.{_b64(json.dumps(dict(claims)).encode())}."


def forge_hs256(claims: Mapping[str, Any], secret: bytes, kid: str | None = None) -> str:
    """An HS256 token keyed with `secret`, built by hand.

    PyJWT refuses a PEM as an HMAC secret, which is exactly the key-confusion forgery (HMAC keyed
    with the verifier's public key) that a verifier must refuse, so the token is assembled here.
    """
    header: dict[str, Any] = {"alg": "HS256", "typ": "JWT"}
    if kid is not None:
        header["kid"] = kid
    signing_input = f"{_b64(json.dumps(header).encode())}.{_b64(json.dumps(dict(claims)).encode())}"
    signature = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{_b64(signature)}"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

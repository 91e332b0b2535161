"""IdentityVerifier contract: the same suite against Clerk (PEM and JWKS) and dev adapters."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from adapters.identity.clerk_identity_verifier import ClerkIdentityVerifier, PemKeySource
from adapters.identity.dev_identity_verifier import (
    DEV_ISSUER,
    DevIdentityVerifier,
    mint_dev_token,
)
from adapters.identity.jwks_key_source import JwksKeySource
from application.ports.identity import Identity, IdentityVerifier
from domain.errors import AuthenticationFailed
from tests.support.jwks_server import JwksServer
from tests.support.rsa_keys import RsaTestKey, forge_hs256, jwks_of, unsigned_token

NOW = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)
CLERK_ISSUER = "https://clerk.example.test"
APP_ORIGIN = "https://app.example.test"


class FakeClock:
    """A clock that stands still unless told otherwise."""

    def __init__(self, moment: datetime) -> None:
        self.moment = moment

    def now(self) -> datetime:
        return self.moment


@dataclass
class Adapter:
    """One adapter under test and how to mint tokens it should (and should not) trust."""

    name: str
    verifier: IdentityVerifier
    mint: Callable[[dict[str, Any]], str]
    mint_untrusted: Callable[[dict[str, Any]], str]
    base_claims: dict[str, Any] = field(default_factory=dict)

    def claims(self, **changes: Any) -> dict[str, Any]:
        """Valid claims at NOW, with `changes` applied (a value of None drops the claim)."""
        at = int(NOW.timestamp())
        claims = {"sub": "user_123", "iat": at, "nbf": at, "exp": at + 60, **self.base_claims}
        claims.update(changes)
        return {name: value for name, value in claims.items() if value is not None}


@pytest.fixture(scope="module")
def rsa_key() -> RsaTestKey:
    return RsaTestKey("kid-1")


@pytest.fixture(scope="module")
def impostor_key() -> RsaTestKey:
    # Same kid, other key: the verifier finds "its" key and the signature must then fail.
    return RsaTestKey("kid-1")


@pytest.fixture
def dev_secret() -> str:
    return secrets.token_urlsafe(32)


def clerk_claims() -> dict[str, Any]:
    return {"iss": CLERK_ISSUER, "azp": APP_ORIGIN}


@pytest.fixture(params=["clerk-pem", "clerk-jwks", "dev"])
async def adapter(
    request: pytest.FixtureRequest, rsa_key: RsaTestKey, impostor_key: RsaTestKey, dev_secret: str
) -> AsyncIterator[Adapter]:
    clock = FakeClock(NOW)
    clerk_options: dict[str, Any] = {
        "issuer": CLERK_ISSUER,
        "authorized_parties": [APP_ORIGIN, "http://localhost:3000"],
        "clock": clock,
    }
    if request.param == "dev":
        other_secret = secrets.token_urlsafe(32)
        yield Adapter(
            "dev",
            DevIdentityVerifier(dev_secret, clock=clock),
            lambda claims: _hs256(claims, dev_secret),
            lambda claims: _hs256(claims, other_secret),
            {"iss": DEV_ISSUER},
        )
    elif request.param == "clerk-pem":
        verifier = ClerkIdentityVerifier.from_pem(rsa_key.public_pem, **clerk_options)
        yield Adapter("clerk-pem", verifier, rsa_key.mint, impostor_key.mint, clerk_claims())
    else:
        with JwksServer(jwks_of(rsa_key)) as server:
            async with httpx.AsyncClient(trust_env=False) as client:
                verifier = ClerkIdentityVerifier(
                    JwksKeySource(server.url, client=client), **clerk_options
                )
                yield Adapter(
                    "clerk-jwks", verifier, rsa_key.mint, impostor_key.mint, clerk_claims()
                )


def _hs256(claims: dict[str, Any], secret: str) -> str:
    return jwt.encode(claims, secret, algorithm="HS256")


async def refused(verifier: IdentityVerifier, token: str, reason: str) -> None:
    """Assert `token` is refused with a message mentioning `reason` that never echoes it."""
    with pytest.raises(AuthenticationFailed) as caught:
        await verifier.verify(token)
    assert reason in caught.value.message
    if len(token) > 8:
        assert token not in caught.value.message


# --- the shared contract ---------------------------------------------------------------------


async def test_a_good_token_yields_its_subject(adapter: Adapter) -> None:
    token = adapter.mint(adapter.claims())

    assert await adapter.verifier.verify(token) == Identity(subject="user_123")


async def test_email_and_name_claims_fill_the_identity(adapter: Adapter) -> None:
    token = adapter.mint(adapter.claims(email="ada@example.test", name="Ada Lovelace"))

    identity = await adapter.verifier.verify(token)

    assert identity == Identity("user_123", email="ada@example.test", name="Ada Lovelace")


@pytest.mark.parametrize(
    ("token", "reason"),
    [
        ("", "missing token"),
        ("   ", "missing token"),
        ("garbage", "malformed"),
        ("a.b.c", "malformed"),
        ("x" * 20_000, "too large"),
    ],
)
async def test_missing_or_garbage_tokens_are_refused(
    adapter: Adapter, token: str, reason: str
) -> None:
    await refused(adapter.verifier, token, reason)


async def test_a_token_expired_beyond_the_leeway_is_refused(adapter: Adapter) -> None:
    at = int(NOW.timestamp())
    token = adapter.mint(adapter.claims(iat=at - 120, nbf=at - 120, exp=at - 6))

    await refused(adapter.verifier, token, "token expired")


async def test_a_token_expired_within_the_leeway_is_accepted(adapter: Adapter) -> None:
    at = int(NOW.timestamp())
    token = adapter.mint(adapter.claims(iat=at - 120, nbf=at - 120, exp=at - 4))

    assert (await adapter.verifier.verify(token)).subject == "user_123"


async def test_a_token_without_exp_is_refused(adapter: Adapter) -> None:
    await refused(adapter.verifier, adapter.mint(adapter.claims(exp=None)), "exp")


@pytest.mark.parametrize("exp", ["tomorrow", True, float("inf"), float("nan")])
async def test_a_non_numeric_exp_is_refused(adapter: Adapter, exp: object) -> None:
    await refused(adapter.verifier, adapter.mint(adapter.claims(exp=exp)), "exp")


async def test_a_token_not_yet_valid_is_refused(adapter: Adapter) -> None:
    at = int(NOW.timestamp())

    await refused(adapter.verifier, adapter.mint(adapter.claims(nbf=at + 6)), "not yet valid")
    assert await adapter.verifier.verify(adapter.mint(adapter.claims(nbf=at + 4)))


async def test_a_token_issued_in_the_future_is_refused(adapter: Adapter) -> None:
    at = int(NOW.timestamp())

    await refused(adapter.verifier, adapter.mint(adapter.claims(iat=at + 6)), "future")
    assert await adapter.verifier.verify(adapter.mint(adapter.claims(iat=at + 4)))


async def test_a_token_signed_with_another_key_is_refused(adapter: Adapter) -> None:
    await refused(adapter.verifier, adapter.mint_untrusted(adapter.claims()), "bad signature")


async def test_a_token_with_a_tampered_payload_is_refused(adapter: Adapter) -> None:
    header, _, signature = adapter.mint(adapter.claims()).split(".")
    _, payload, _ = adapter.mint(adapter.claims(sub="user_admin")).split(".")

    await refused(adapter.verifier, f"{header}.{payload}.{signature}", "bad signature")


@pytest.mark.parametrize("sub", [None, "", "  ", 42, "u" * 256])
async def test_a_token_without_a_usable_subject_is_refused(adapter: Adapter, sub: object) -> None:
    await refused(adapter.verifier, adapter.mint(adapter.claims(sub=sub)), "subject")


async def test_an_unsigned_alg_none_token_is_refused(adapter: Adapter) -> None:
    token = unsigned_token(adapter.claims(), {"kid": "kid-1"})

    await refused(adapter.verifier, token, "algorithm")


# --- Clerk only ------------------------------------------------------------------------------


only_clerk = pytest.mark.parametrize("adapter", ["clerk-pem", "clerk-jwks"], indirect=True)


@only_clerk
async def test_clerk_refuses_a_wrong_issuer(adapter: Adapter) -> None:
    token = adapter.mint(adapter.claims(iss="https://evil.example.test"))

    await refused(adapter.verifier, token, "wrong issuer")
    await refused(adapter.verifier, adapter.mint(adapter.claims(iss=None)), "wrong issuer")


@only_clerk
async def test_clerk_refuses_an_azp_not_authorized(adapter: Adapter) -> None:
    await refused(adapter.verifier, adapter.mint(adapter.claims(azp="https://evil.test")), "azp")
    await refused(adapter.verifier, adapter.mint(adapter.claims(azp=["https://evil.test"])), "azp")


@only_clerk
async def test_clerk_accepts_any_listed_azp_or_none_at_all(adapter: Adapter) -> None:
    # Clerk's SDKs only check azp when the token carries one.
    assert await adapter.verifier.verify(adapter.mint(adapter.claims(azp="http://localhost:3000")))
    assert await adapter.verifier.verify(adapter.mint(adapter.claims(azp=None)))


@only_clerk
async def test_clerk_refuses_hs256_keyed_with_its_own_public_key(
    adapter: Adapter, rsa_key: RsaTestKey
) -> None:
    token = forge_hs256(adapter.claims(), rsa_key.public_pem.encode(), kid="kid-1")

    await refused(adapter.verifier, token, "algorithm")


@only_clerk
async def test_clerk_refuses_dev_tokens(adapter: Adapter, dev_secret: str) -> None:
    token = mint_dev_token("user_123", dev_secret, now=NOW)

    await refused(adapter.verifier, token, "algorithm")


async def test_unconfigured_issuer_and_parties_are_not_checked(rsa_key: RsaTestKey) -> None:
    verifier = ClerkIdentityVerifier.from_pem(rsa_key.public_pem, clock=FakeClock(NOW))
    at = int(NOW.timestamp())
    token = rsa_key.mint({"sub": "user_1", "iat": at, "exp": at + 60, "iss": "x", "azp": "y"})

    assert await verifier.verify(token) == Identity("user_1")


def test_a_pem_that_is_not_an_rsa_public_key_is_refused_at_start() -> None:
    ec_pem = (
        ec.generate_private_key(ec.SECP256R1())
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )

    with pytest.raises(ValueError, match="RSA"):
        PemKeySource(ec_pem)


# --- dev only --------------------------------------------------------------------------------


async def test_mint_dev_token_round_trips_through_the_dev_verifier(dev_secret: str) -> None:
    clock = FakeClock(NOW)
    verifier = DevIdentityVerifier(dev_secret, clock=clock)
    token = mint_dev_token(
        "user_42", dev_secret, timedelta(minutes=10), now=NOW, email="a@example.test", name="A"
    )

    assert await verifier.verify(token) == Identity("user_42", email="a@example.test", name="A")
    clock.moment = NOW + timedelta(minutes=10, seconds=6)
    await refused(verifier, token, "token expired")


async def test_dev_refuses_clerk_tokens(dev_secret: str, rsa_key: RsaTestKey) -> None:
    verifier = DevIdentityVerifier(dev_secret, clock=FakeClock(NOW))
    at = int(NOW.timestamp())

    await refused(verifier, rsa_key.mint({"sub": "u", "iat": at, "exp": at + 60}), "algorithm")


async def test_dev_refuses_a_token_from_another_issuer(dev_secret: str) -> None:
    verifier = DevIdentityVerifier(dev_secret, clock=FakeClock(NOW))
    at = int(NOW.timestamp())

    await refused(verifier, _hs256({"sub": "u", "exp": at + 60}, dev_secret), "wrong issuer")


@pytest.mark.parametrize("secret", ["", "short", b"x" * 31])
def test_dev_refuses_a_short_secret(secret: str | bytes) -> None:
    with pytest.raises(ValueError, match="32 bytes"):
        DevIdentityVerifier(secret)
    with pytest.raises(ValueError, match="32 bytes"):
        mint_dev_token("user_1", secret)


def test_mint_dev_token_needs_a_user_and_a_positive_ttl(dev_secret: str) -> None:
    with pytest.raises(ValueError, match="user id"):
        mint_dev_token("", dev_secret)
    with pytest.raises(ValueError, match="ttl"):
        mint_dev_token("user_1", dev_secret, timedelta(0))

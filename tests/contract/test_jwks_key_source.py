"""JwksKeySource over a real local HTTP server: caching, rotation, outages, kid spam."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest

from adapters.identity.clerk_identity_verifier import ClerkIdentityVerifier
from adapters.identity.jwks_key_source import JwksKeySource
from domain.errors import AuthenticationFailed
from tests.support.jwks_server import JwksServer
from tests.support.rsa_keys import RsaTestKey, jwks_of


class FakeMonotonic:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.value = 1000.0

    def __call__(self) -> float:
        return self.value

    def advance(self, seconds: float) -> None:
        self.value += seconds


@pytest.fixture(scope="module")
def key_one() -> RsaTestKey:
    return RsaTestKey("kid-1")


@pytest.fixture(scope="module")
def key_two() -> RsaTestKey:
    return RsaTestKey("kid-2")


@pytest.fixture
def server(key_one: RsaTestKey) -> Iterator[JwksServer]:
    with JwksServer(jwks_of(key_one)) as running:
        yield running


@pytest.fixture
def monotonic() -> FakeMonotonic:
    return FakeMonotonic()


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    # trust_env=False: a proxy from the environment must not intercept 127.0.0.1.
    async with httpx.AsyncClient(trust_env=False) as http:
        yield http


@pytest.fixture
def verifier(
    server: JwksServer, client: httpx.AsyncClient, monotonic: FakeMonotonic
) -> ClerkIdentityVerifier:
    keys = JwksKeySource(
        server.url, client=client, ttl=300, min_refetch_interval=30, monotonic=monotonic
    )
    return ClerkIdentityVerifier(keys)


def token(key: RsaTestKey, *, kid: str | None = None, sub: str = "user_1") -> str:
    now = int(time.time())
    return key.mint({"sub": sub, "iat": now, "exp": now + 600}, kid=kid)


async def test_keys_are_fetched_once_and_cached(
    verifier: ClerkIdentityVerifier, server: JwksServer, key_one: RsaTestKey
) -> None:
    for n in range(50):
        assert (await verifier.verify(token(key_one, sub=f"user_{n}"))).subject == f"user_{n}"

    assert server.requests == 1


async def test_concurrent_cold_verifications_share_one_fetch(
    verifier: ClerkIdentityVerifier, server: JwksServer, key_one: RsaTestKey
) -> None:
    server.delay = 0.2

    identities = await asyncio.gather(*(verifier.verify(token(key_one)) for _ in range(20)))

    assert {identity.subject for identity in identities} == {"user_1"}
    assert server.requests == 1


async def test_a_stale_key_set_is_refetched_after_the_ttl(
    verifier: ClerkIdentityVerifier,
    server: JwksServer,
    key_one: RsaTestKey,
    monotonic: FakeMonotonic,
) -> None:
    await verifier.verify(token(key_one))
    monotonic.advance(299)
    await verifier.verify(token(key_one))
    assert server.requests == 1

    monotonic.advance(2)
    await verifier.verify(token(key_one))
    assert server.requests == 2


async def test_a_rotated_key_with_a_new_kid_triggers_a_refetch(
    verifier: ClerkIdentityVerifier,
    server: JwksServer,
    key_one: RsaTestKey,
    key_two: RsaTestKey,
    monotonic: FakeMonotonic,
) -> None:
    await verifier.verify(token(key_one))
    server.document = jwks_of(key_one, key_two)
    monotonic.advance(31)

    assert (await verifier.verify(token(key_two))).subject == "user_1"
    assert await verifier.verify(token(key_one))
    assert server.requests == 2


async def test_unknown_kid_spam_does_not_fetch_per_token(
    verifier: ClerkIdentityVerifier,
    server: JwksServer,
    key_one: RsaTestKey,
    monotonic: FakeMonotonic,
) -> None:
    await verifier.verify(token(key_one))

    for _ in range(100):
        with pytest.raises(AuthenticationFailed, match="unknown signing key"):
            await verifier.verify(token(key_one, kid=uuid.uuid4().hex))
    assert server.requests == 1

    # Once the refetch interval has passed, one more unknown kid may look again, once.
    monotonic.advance(31)
    for _ in range(100):
        with pytest.raises(AuthenticationFailed, match="unknown signing key"):
            await verifier.verify(token(key_one, kid=uuid.uuid4().hex))
    assert server.requests == 2


async def test_last_good_keys_survive_the_server_going_down(
    verifier: ClerkIdentityVerifier,
    server: JwksServer,
    key_one: RsaTestKey,
    monotonic: FakeMonotonic,
) -> None:
    await verifier.verify(token(key_one))
    server.stop()
    monotonic.advance(301)

    for _ in range(10):
        assert (await verifier.verify(token(key_one))).subject == "user_1"


async def test_a_failing_server_is_asked_at_most_once_per_interval(
    verifier: ClerkIdentityVerifier,
    server: JwksServer,
    key_one: RsaTestKey,
    monotonic: FakeMonotonic,
) -> None:
    await verifier.verify(token(key_one))
    server.status = 500
    monotonic.advance(301)

    for _ in range(10):
        assert await verifier.verify(token(key_one))
    assert server.requests == 2

    monotonic.advance(31)
    server.status = 200
    await verifier.verify(token(key_one))
    assert server.requests == 3


async def test_no_keys_ever_fetched_refuses_every_token(
    client: httpx.AsyncClient, key_one: RsaTestKey
) -> None:
    with JwksServer(jwks_of(key_one)) as gone:
        url = gone.url
    verifier = ClerkIdentityVerifier(JwksKeySource(url, client=client))

    with pytest.raises(AuthenticationFailed, match="signing keys unavailable"):
        await verifier.verify(token(key_one))


async def test_a_token_without_kid_is_refused_without_a_fetch(
    verifier: ClerkIdentityVerifier, server: JwksServer, key_one: RsaTestKey
) -> None:
    with pytest.raises(AuthenticationFailed, match="no key id"):
        await verifier.verify(token(key_one, kid=""))

    assert server.requests == 0


async def test_unusable_entries_are_skipped_and_the_good_key_still_works(
    verifier: ClerkIdentityVerifier, server: JwksServer, key_one: RsaTestKey
) -> None:
    server.document = {
        "keys": [
            {"kty": "EC", "kid": "ec", "crv": "P-256", "x": "AA", "y": "AA"},
            {**key_one.jwk, "kid": "enc", "use": "enc"},
            {**key_one.jwk, "kid": "hs", "alg": "HS256"},
            {"kty": "RSA", "kid": "broken", "n": "!!", "e": "AQAB"},
            "not a key",
            key_one.jwk,
        ]
    }

    assert await verifier.verify(token(key_one))
    with pytest.raises(AuthenticationFailed, match="unknown signing key"):
        await verifier.verify(token(key_one, kid="enc"))


async def test_from_jwks_url_owns_and_closes_its_client(
    server: JwksServer, key_one: RsaTestKey
) -> None:
    verifier = ClerkIdentityVerifier.from_jwks_url(server.url)

    assert await verifier.verify(token(key_one))
    await verifier.aclose()


async def test_cached_keys_answer_while_a_refresh_is_in_flight(
    verifier: ClerkIdentityVerifier,
    server: JwksServer,
    key_one: RsaTestKey,
    monotonic: FakeMonotonic,
) -> None:
    await verifier.verify(token(key_one))
    monotonic.advance(301)
    server.delay = 0.5
    refreshing = asyncio.create_task(verifier.verify(token(key_one)))
    await asyncio.sleep(0.1)

    started = time.perf_counter()
    assert await verifier.verify(token(key_one))
    assert time.perf_counter() - started < 0.3
    assert await refreshing
    assert server.requests == 2


async def test_a_cancelled_fetch_lets_the_next_caller_fetch_at_once(
    verifier: ClerkIdentityVerifier, server: JwksServer, key_one: RsaTestKey
) -> None:
    server.delay = 0.3
    first = asyncio.create_task(verifier.verify(token(key_one)))
    for _ in range(200):  # until the fetch is under way (a loaded machine can take a while)
        if server.requests:
            break
        await asyncio.sleep(0.01)
    first.cancel()
    with pytest.raises(asyncio.CancelledError):
        await first
    server.delay = 0

    assert await verifier.verify(token(key_one))
    assert server.requests == 2


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.test/jwks"])
def test_a_non_http_jwks_url_is_refused_at_start(url: str) -> None:
    with pytest.raises(ValueError, match="http"):
        JwksKeySource(url)

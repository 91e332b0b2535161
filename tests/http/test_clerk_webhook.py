"""POST /api/webhooks/clerk (API.md §9): Svix signatures, idempotency, and account deletion."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from datetime import UTC, datetime
from typing import Any

import pytest
import standardwebhooks.webhooks as standard_webhooks
from litestar.testing import AsyncTestClient
from svix.webhooks import Webhook

from adapters.identity.svix_clerk_event_verifier import SvixClerkEventVerifier
from domain.errors import WebhookRejected
from entrypoints.config import Settings
from tests.http.conftest import ISSUER
from tests.support.documents import petstore

SECRET = "whsec_" + base64.b64encode(b"clerk-test-secret-32-bytes-long!").decode()
URL = "/api/webhooks/clerk"

# Svix's published test vector (docs and the library tests of every Standard Webhooks SDK).
VECTOR_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
VECTOR_ID = "msg_p5jXN8AQM9LWM0D4loKWxJek"
VECTOR_TIMESTAMP = 1614265330
VECTOR_BODY = '{"test": 2432232314}'
VECTOR_SIGNATURE = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="


@pytest.fixture
def settings(rsa_key: Any) -> Settings:
    return Settings(
        persistence="memory",
        identity="clerk",
        clerk_jwt_key=rsa_key.public_pem,
        clerk_issuer=ISSUER,
        outbound_allow_cidrs=("127.0.0.0/8",),
        auto_migrate=False,
        clerk_webhook_secret=SECRET,
        stripe_webhook_secret="whsec_stripe",
    )


def _sign(body: str, msg_id: str, timestamp: int, secret: str = SECRET) -> str:
    key = base64.b64decode(secret.removeprefix("whsec_"))
    mac = hmac.new(key, f"{msg_id}.{timestamp}.{body}".encode(), hashlib.sha256).digest()
    return "v1," + base64.b64encode(mac).decode()


def _event(kind: str, user: str = "user_a", **data: Any) -> str:
    return json.dumps({"type": kind, "object": "event", "data": {"id": user, **data}})


def _headers(
    body: str,
    msg_id: str | None = None,
    *,
    prefix: str = "svix",
    timestamp: int | None = None,
    signature: str | None = None,
) -> dict[str, str]:
    msg_id = msg_id or f"msg_{time.time_ns()}"
    stamp = int(time.time()) if timestamp is None else timestamp
    return {
        f"{prefix}-id": msg_id,
        f"{prefix}-timestamp": str(stamp),
        f"{prefix}-signature": signature or _sign(body, msg_id, stamp),
    }


async def _post(client: AsyncTestClient[Any], body: str | bytes, headers: dict[str, str]) -> Any:
    return await client.post(URL, content=body, headers=headers)


async def _user(client: AsyncTestClient[Any], user: str = "user_a") -> Any:
    async with client.app.state.container.uow()() as uow:
        return await uow.users.get(user)


def test_signing_reproduces_the_svix_test_vector():
    assert _sign(VECTOR_BODY, VECTOR_ID, VECTOR_TIMESTAMP, VECTOR_SECRET) == VECTOR_SIGNATURE
    signed = Webhook(VECTOR_SECRET).sign(
        VECTOR_ID, datetime.fromtimestamp(VECTOR_TIMESTAMP, UTC), VECTOR_BODY
    )
    assert signed == VECTOR_SIGNATURE


def test_the_verifier_accepts_the_svix_test_vector_at_its_time(monkeypatch):
    class VectorTime(datetime):
        @classmethod
        def now(cls, tz: Any = None) -> datetime:  # type: ignore[override]
            return datetime.fromtimestamp(VECTOR_TIMESTAMP + 10, UTC)

    monkeypatch.setattr(standard_webhooks, "datetime", VectorTime)
    verifier = SvixClerkEventVerifier(VECTOR_SECRET)
    headers = {
        "svix-id": VECTOR_ID,
        "svix-timestamp": str(VECTOR_TIMESTAMP),
        "svix-signature": VECTOR_SIGNATURE,
    }
    body = b'{"type": "test", "data": {"test": 2432232314}}'
    # The vector's own body is not a Clerk event: only its signature check is what we test.
    with pytest.raises(WebhookRejected, match="not a Clerk event"):
        verifier.verify(VECTOR_BODY.encode(), headers)
    with pytest.raises(WebhookRejected, match="signature"):
        verifier.verify(body, headers)


@pytest.mark.parametrize("prefix", ["svix", "webhook"])
async def test_user_created_creates_the_account(client, prefix):
    body = _event(
        "user.created",
        first_name="Ada",
        last_name="Lovelace",
        primary_email_address_id="e1",
        email_addresses=[
            {"id": "e0", "email_address": "old@example.com"},
            {"id": "e1", "email_address": "ada@example.com"},
        ],
    )

    response = await _post(client, body, _headers(body, prefix=prefix))

    assert response.status_code == 200
    assert response.json() == {"received": True}
    user = await _user(client)
    assert (user.email, user.name, user.plan) == ("ada@example.com", "Ada Lovelace", "free")


def _bad(body: str) -> dict[str, dict[str, str]]:
    now = int(time.time())
    good = _headers(body, "msg_1", timestamp=now)
    other = _sign(body, "msg_1", now, "whsec_" + base64.b64encode(b"x" * 32).decode())
    return {
        "wrong secret": {**good, "svix-signature": other},
        "stale": _headers(body, "msg_1", timestamp=now - 301),
        "future": _headers(body, "msg_1", timestamp=now + 301),
        "missing signature": {k: v for k, v in good.items() if k != "svix-signature"},
        "missing id": {k: v for k, v in good.items() if k != "svix-id"},
        "malformed signature": {**good, "svix-signature": "v1"},
        "malformed base64": {**good, "svix-signature": "v1,***"},
        "malformed timestamp": {**good, "svix-timestamp": "soon"},
    }


@pytest.mark.parametrize("case", list(_bad("{}")))
async def test_refuses_a_bad_delivery_with_400(client, case):
    body = _event("user.created")

    response = await _post(client, body, _bad(body)[case])

    assert response.status_code == 400
    assert set(response.json()) == {"error"}
    assert await _user(client) is None


async def test_refuses_a_tampered_body(client):
    body = _event("user.created")
    headers = _headers(body)

    response = await _post(client, body.replace("user_a", "user_b"), headers)

    assert response.status_code == 400


async def test_accepts_several_signatures_of_which_one_is_good(client):
    body = _event("user.created")
    headers = _headers(body, "msg_9")
    bad = "v1," + base64.b64encode(b"\0" * 32).decode()
    headers["svix-signature"] = f"{bad} v2,abc {headers['svix-signature']}"

    assert (await _post(client, body, headers)).status_code == 200


async def test_refuses_a_body_that_is_not_utf8(client):
    body = b'{"type": "user.created", "data": {"id": "\xff"}}'
    stamp = int(time.time())
    key = base64.b64decode(SECRET.removeprefix("whsec_"))
    mac = hmac.new(key, b"msg_1." + str(stamp).encode() + b"." + body, hashlib.sha256).digest()
    headers = {
        "svix-id": "msg_1",
        "svix-timestamp": str(stamp),
        "svix-signature": "v1," + base64.b64encode(mac).decode(),
    }

    response = await _post(client, body, headers)

    assert response.status_code == 400


async def test_is_idempotent_by_svix_id(client):
    await _post(client, _event("user.created"), _headers(_event("user.created")))
    first = _event("user.updated", first_name="One")
    second = _event("user.updated", first_name="Two")
    await _post(client, first, _headers(first, "msg_same"))

    response = await _post(client, second, _headers(second, "msg_same"))

    assert response.status_code == 200
    assert (await _user(client)).name == "One"


async def test_user_updated_updates_email_and_name(client):
    await _post(client, _event("user.created"), _headers(_event("user.created")))
    body = _event(
        "user.updated",
        first_name="Grace",
        email_addresses=[{"id": "e1", "email_address": "grace@example.com"}],
        primary_email_address_id="e1",
    )

    await _post(client, body, _headers(body))

    user = await _user(client)
    assert (user.email, user.name) == ("grace@example.com", "Grace")


async def test_answers_503_when_no_secret_is_configured(rsa_key):
    from entrypoints.container import build_container
    from entrypoints.http.app import create_app

    settings = Settings(persistence="memory", auto_migrate=False)
    async with AsyncTestClient(create_app(build_container(settings))) as client:
        body = _event("user.created")
        response = await _post(client, body, _headers(body))

    assert response.status_code == 503
    assert set(response.json()) == {"error"}


async def _subscribed_user_with_a_server(client: Any, auth: Any) -> dict[str, Any]:
    from tests.support.fake_stripe import sign_stripe, stripe_event, subscription_object

    spec = (
        await client.post(
            "/api/specs", json={"name": "Pets", "rawSpec": petstore()}, headers=auth()
        )
    ).json()["data"]
    created = await client.post(
        f"/api/specs/{spec['id']}/servers",
        json={
            "name": "Pets",
            "slug": "pets",
            "authMode": "none",
            "baseUrl": "http://127.0.0.1:9/v1",
        },
        headers=auth(),
    )
    assert created.status_code == 201, created.text
    event = stripe_event(
        "customer.subscription.created", subscription_object("active", "price_fake_starter")
    )
    hooked = await client.post(
        "/api/webhooks/stripe",
        content=event,
        headers={"stripe-signature": sign_stripe(event, "whsec_stripe")},
    )
    assert hooked.status_code == 200
    return dict(created.json()["data"])


async def test_user_deleted_erases_the_account_for_good(client, auth):
    server = await _subscribed_user_with_a_server(client, auth)
    token_headers = auth()
    body = _event("user.deleted", deleted=True)

    response = await _post(client, body, _headers(body))

    assert response.status_code == 200
    container = client.app.state.container
    assert container.payments().cancelled == ["sub_1"]
    assert (await client.get("/api/specs", headers=token_headers)).status_code == 401
    mcp = await client.post(
        f"/mcp/{server['endpointId']}",
        json={"jsonrpc": "2.0", "id": 1, "method": "tools/list"},
        headers={
            "Authorization": f"Bearer {server['token']}",
            "Accept": "application/json, text/event-stream",
        },
    )
    assert mcp.status_code == 404
    late = _event("user.created")
    assert (await _post(client, late, _headers(late))).status_code == 200
    assert await _user(client) is None
    assert (await client.get("/api/specs", headers=auth())).status_code == 401

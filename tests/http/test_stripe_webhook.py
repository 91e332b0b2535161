"""POST /api/webhooks/stripe (API.md §9): signatures, limits, idempotency and ordering."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from entrypoints.config import Settings
from entrypoints.container import build_container
from entrypoints.http.app import create_app
from tests.http.conftest import ISSUER
from tests.support.fake_stripe import sign_stripe, stripe_event, subscription_object

SECRET = "whsec_stripe_test_secret"
STARTER = "price_fake_starter"
URL = "/api/webhooks/stripe"


@pytest.fixture(params=["memory", "sqlite"])
def settings(request: pytest.FixtureRequest, rsa_key: Any, tmp_path: Path) -> Settings:
    sql = request.param == "sqlite"
    return Settings(
        persistence="sql" if sql else "memory",
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'hooks.db'}",
        vault_keys="k1:" + "A" * 43 + "=",
        identity="clerk",
        clerk_jwt_key=rsa_key.public_pem,
        clerk_issuer=ISSUER,
        auto_migrate=sql,
        stripe_webhook_secret=SECRET,
    )


async def _plan(client: AsyncTestClient[Any], user: str = "user_a") -> tuple[str, Any]:
    container = client.app.state.container
    async with container.uow()() as uow:
        found = await uow.users.get(user)
        subscription = await uow.subscriptions.get(user)
    assert found is not None
    return found.plan, subscription


async def _deliver(
    client: AsyncTestClient[Any], body: bytes, signature: str | None = None, **headers: str
) -> Any:
    sent = {"content-type": "application/json", **headers}
    sent["stripe-signature"] = signature if signature is not None else sign_stripe(body, SECRET)
    return await client.post(URL, content=body, headers=sent)


@pytest.fixture
async def signed_in(client: AsyncTestClient[Any], auth: Any) -> AsyncTestClient[Any]:
    assert (await client.get("/api/specs", headers=auth("user_a"))).status_code == 200
    return client


def _subscription(kind: str, status: str, created: int | None = None, **extra: Any) -> bytes:
    return stripe_event(
        f"customer.subscription.{kind}",
        subscription_object(status, STARTER, **extra),
        created=created,
    )


async def test_a_well_signed_event_is_applied(signed_in):
    response = await _deliver(signed_in, _subscription("created", "active"))

    assert response.status_code == 200
    assert response.json() == {"received": True}
    plan, subscription = await _plan(signed_in)
    assert plan == "starter"
    assert (subscription.customer_id, subscription.subscription_id) == ("cus_1", "sub_1")


def _bad_headers(body: bytes) -> dict[str, str | None]:
    now = int(time.time())
    good = sign_stripe(body, SECRET)
    return {
        "wrong secret": sign_stripe(body, "whsec_other"),
        "stale": sign_stripe(body, SECRET, now - 301),
        "future": sign_stripe(body, SECRET, now + 301),
        "missing": "",
        "garbage": "garbage",
        "no timestamp": good.split(",", 1)[1],
        "bad timestamp": "t=soon," + good.split(",", 1)[1],
        "other scheme": good.replace("v1=", "v0="),
    }


@pytest.mark.parametrize("case", list(_bad_headers(b"{}")))
async def test_refuses_a_bad_signature_header_with_400(signed_in, case):
    body = _subscription("created", "active")
    header = _bad_headers(body)[case]

    response = await signed_in.post(
        URL, content=body, headers={} if not header else {"stripe-signature": header}
    )

    assert response.status_code == 400
    assert set(response.json()) == {"error"}
    assert (await _plan(signed_in))[0] == "free"


async def test_refuses_a_tampered_body(signed_in):
    body = _subscription("created", "active")
    header = sign_stripe(body, SECRET)
    tampered = body.replace(b'"active"', b'"trialing"')

    response = await _deliver(signed_in, tampered, header)

    assert response.status_code == 400


async def test_accepts_several_signatures_of_which_one_is_good(signed_in):
    body = _subscription("created", "active")
    good = sign_stripe(body, SECRET)
    stamp, mac = good.split(",")
    header = f"{stamp},v1={'0' * 64},{mac},v1={'f' * 64}"

    response = await _deliver(signed_in, body, header)

    assert response.status_code == 200


async def test_refuses_a_body_that_is_not_utf8(signed_in):
    body = b'{"id": "evt_1", "type": "x\xff\xfe"}'

    response = await _deliver(signed_in, body)

    assert response.status_code == 400
    assert "UTF-8" in response.json()["error"]


async def test_refuses_a_body_over_one_mebibyte_with_413(signed_in):
    body = b'{"pad": "' + b"x" * (1024 * 1024) + b'"}'

    response = await _deliver(signed_in, body)

    assert response.status_code == 413
    assert set(response.json()) == {"error"}


async def test_refuses_a_streamed_body_over_one_mebibyte_without_content_length(signed_in):
    # Raw ASGI: the test client always sets Content-Length; a chunked upload does not.
    chunks = [b"x" * 65536] * 17
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        chunk = chunks.pop() if chunks else b""
        return {"type": "http.request", "body": chunk, "more_body": bool(chunks)}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": URL,
        "raw_path": URL.encode(),
        "query_string": b"",
        "root_path": "",
        "client": ("127.0.0.1", 1),
        "server": ("testserver", 80),
        "headers": [(b"stripe-signature", b"t=1,v1=00"), (b"transfer-encoding", b"chunked")],
    }
    await signed_in.app(scope, receive, send)

    assert sent[0]["status"] == 413


async def test_takes_an_unknown_event_type_and_changes_nothing(signed_in):
    body = stripe_event("customer.created", {"id": "cus_9", "object": "customer"})

    response = await _deliver(signed_in, body)

    assert response.status_code == 200
    assert response.json() == {"received": True}
    assert (await _plan(signed_in)) == ("free", None)


async def test_twenty_concurrent_deliveries_of_one_event_have_one_effect(signed_in):
    body = _subscription("created", "active")

    responses = await asyncio.gather(*(_deliver(signed_in, body) for _ in range(20)))

    assert [r.status_code for r in responses] == [200] * 20
    assert (await _plan(signed_in))[0] == "starter"
    container = signed_in.app.state.container
    event_id = __import__("json").loads(body)["id"]
    async with container.uow()() as uow:
        # Recording again says "already there": exactly one delivery recorded it.
        assert (
            await uow.processed_events.record("stripe", event_id, container.clock().now()) is False
        )


async def test_a_replayed_event_changes_nothing(signed_in):
    created = int(time.time())
    active = _subscription("created", "active", created=created)
    await _deliver(signed_in, active)
    await _deliver(signed_in, _subscription("deleted", "canceled", created=created + 5))

    response = await _deliver(signed_in, active)

    assert response.status_code == 200
    assert (await _plan(signed_in))[0] == "free"


async def test_an_update_delivered_before_the_creation_wins(signed_in):
    now = int(time.time())
    await _deliver(signed_in, _subscription("updated", "active", created=now + 10))

    await _deliver(signed_in, _subscription("created", "incomplete", created=now))

    plan, subscription = await _plan(signed_in)
    assert plan == "starter"
    assert subscription.status == "active"


async def test_past_due_keeps_the_plan_and_flags_the_account(signed_in):
    now = int(time.time())
    await _deliver(signed_in, _subscription("created", "active", created=now))
    failed = stripe_event(
        "invoice.payment_failed",
        {"id": "in_1", "customer": "cus_1", "subscription": "sub_1"},
        created=now + 1,
    )
    await _deliver(signed_in, failed)

    plan, subscription = await _plan(signed_in)
    assert (plan, subscription.status, subscription.past_due) == ("starter", "past_due", True)

    paid = stripe_event(
        "invoice.paid",
        {
            "id": "in_1",
            "customer": "cus_1",
            "parent": {"subscription_details": {"subscription": "sub_1"}},
        },
        created=now + 2,
    )
    await _deliver(signed_in, paid)
    plan, subscription = await _plan(signed_in)
    assert (plan, subscription.status, subscription.past_due) == ("starter", "active", False)


@pytest.mark.parametrize("status", ["canceled", "unpaid", "incomplete_expired"])
async def test_ended_statuses_return_the_user_to_free(signed_in, status):
    now = int(time.time())
    await _deliver(signed_in, _subscription("created", "active", created=now))

    await _deliver(signed_in, _subscription("updated", status, created=now + 1))

    assert (await _plan(signed_in))[0] == "free"


async def test_answers_503_when_no_secret_is_configured(rsa_key):
    settings = Settings(
        persistence="memory", identity="clerk", clerk_jwt_key=rsa_key.public_pem, auto_migrate=False
    )
    async with AsyncTestClient(create_app(build_container(settings))) as client:
        response = await _deliver(client, _subscription("created", "active"))

    assert response.status_code == 503
    assert set(response.json()) == {"error"}

"""A free user at the quota pays for starter through signed Stripe events, then cancels.

Runs the real metering gate (the test route meters like an MCP call) against an upstream on
127.0.0.1, with the free period's counter seeded near its 1,000-call quota.
"""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from application.ports.metering import UsageCounts
from domain.metering.gate import period_of
from entrypoints.config import Settings
from entrypoints.container import build_container
from entrypoints.http.app import create_app
from tests.http.conftest import ISSUER, auth, mint, rsa_key  # noqa: F401 (fixtures)
from tests.support.documents import petstore
from tests.support.fake_stripe import sign_stripe, stripe_event, subscription_object
from tests.support.threaded_upstream import threaded_upstream
from tests.support.upstream_server import Reply

SECRET = "whsec_e2e_stripe"
PETS = Reply(200, {"content-type": "application/json"}, b'[{"id": 1, "name": "Rex"}]')


@pytest.fixture
async def client(rsa_key: Any) -> AsyncIterator[AsyncTestClient[Any]]:  # noqa: F811
    settings = Settings(
        persistence="memory",
        identity="clerk",
        clerk_jwt_key=rsa_key.public_pem,
        clerk_issuer=ISSUER,
        outbound_allow_cidrs=("127.0.0.0/8",),
        auto_migrate=False,
        stripe_webhook_secret=SECRET,
    )
    async with AsyncTestClient(create_app(build_container(settings))) as test_client:
        yield test_client


async def _stripe(
    client: AsyncTestClient[Any], kind: str, obj: dict[str, Any], created: int
) -> None:
    body = stripe_event(kind, obj, created=created)
    response = await client.post(
        "/api/webhooks/stripe",
        content=body,
        headers={"stripe-signature": sign_stripe(body, SECRET)},
    )
    assert response.status_code == 200, response.text


async def test_quota_then_starter_then_free_again(client, auth):  # noqa: F811
    headers = auth("user_a")
    with threaded_upstream(lambda _: PETS) as upstream:
        spec = (
            await client.post(
                "/api/specs", json={"name": "Pets", "rawSpec": petstore()}, headers=headers
            )
        ).json()["data"]
        server = (
            await client.post(
                f"/api/specs/{spec['id']}/servers",
                headers=headers,
                json={
                    "name": "Pets",
                    "slug": "pets",
                    "authMode": "none",
                    "baseUrl": upstream.url + "/v1",
                },
            )
        ).json()["data"]
        container = client.app.state.container
        period = period_of(container.clock().now())
        await container.usage_meter().seed("user_a", period, UsageCounts(calls=999))

        async def call() -> Any:
            return await client.post(
                f"/api/servers/{server['id']}/test",
                headers=headers,
                json={"toolName": "listPets", "arguments": {"limit": 1}},
            )

        assert (await call()).status_code == 200  # the 1,000th call
        refused = await call()
        assert refused.status_code == 429
        assert refused.json()["error"]["details"]["reason"] == "monthly_quota"

        checkout = await client.post(
            "/api/billing/checkout", json={"planId": "starter"}, headers=headers
        )
        assert checkout.status_code == 200, checkout.text
        async with container.uow()() as uow:
            customer = (await uow.subscriptions.get("user_a")).customer_id
        now = int(time.time())
        await _stripe(
            client,
            "checkout.session.completed",
            {
                "id": checkout.json()["data"]["sessionId"],
                "object": "checkout.session",
                "client_reference_id": "user_a",
                "customer": customer,
                "subscription": "sub_1",
                "mode": "subscription",
                "metadata": {"user_id": "user_a"},
            },
            now,
        )
        await _stripe(
            client,
            "customer.subscription.created",
            subscription_object("active", "price_fake_starter", customer=customer),
            now,
        )

        assert (await call()).status_code == 200
        usage = (await client.get("/api/usage", headers=headers)).json()["data"]
        assert usage["plan"] == "starter"
        assert usage["includedRequests"] == 50_000

        await _stripe(
            client,
            "customer.subscription.deleted",
            subscription_object("canceled", "price_fake_starter", customer=customer),
            now + 60,
        )

        again = await call()
        assert again.status_code == 429
        assert again.json()["error"]["details"]["reason"] == "monthly_quota"
        assert (await client.get("/api/usage", headers=headers)).json()["data"]["plan"] == "free"
        assert json.loads((await client.get("/api/billing/budget", headers=headers)).text)

"""POST /api/billing/checkout and /portal (API.md §7), with the fake provider and Stripe down."""

from __future__ import annotations

from typing import Any

from litestar.testing import AsyncTestClient

from entrypoints.config import Settings
from entrypoints.container import build_container
from entrypoints.http.app import create_app


async def _plan(client: AsyncTestClient[Any], user: str = "user_a") -> str:
    async with client.app.state.container.uow()() as uow:
        found = await uow.users.get(user)
    return found.plan if found else "?"


async def test_the_fake_checkout_page_completes_the_purchase(client, auth):
    response = await client.post("/api/billing/checkout", json={"planId": "pro"}, headers=auth())

    assert response.status_code == 200, response.text
    data = response.json()["data"]
    path = data["url"].removeprefix("http://127.0.0.1:8000")
    assert path == f"/billing/fake-checkout/{data['sessionId']}"
    page = await client.get(path)
    assert page.status_code == 200 and "<form method='post'>" in page.text

    paid = await client.post(path, follow_redirects=False)

    assert paid.status_code == 303
    assert paid.headers["location"].endswith(f"/billing/done?session_id={data['sessionId']}")
    assert await _plan(client) == "pro"
    assert (await client.post(path)).status_code == 404  # a session is paid once


async def test_checkout_for_the_current_plan_is_a_conflict(client, auth):
    url = (
        await client.post("/api/billing/checkout", json={"planId": "starter"}, headers=auth())
    ).json()["data"]["url"]
    await client.post(url.removeprefix("http://127.0.0.1:8000"))

    again = await client.post("/api/billing/checkout", json={"planId": "starter"}, headers=auth())
    other = await client.post("/api/billing/checkout", json={"planId": "pro"}, headers=auth())

    assert again.status_code == 409
    assert again.json()["error"]["code"] == "CONFLICT"
    assert other.status_code == 409


async def test_checkout_body_is_strict(client, auth):
    response = await client.post(
        "/api/billing/checkout", json={"planId": "free", "x": 1}, headers=auth()
    )

    assert response.status_code == 400
    paths = {tuple(p["path"]) for p in response.json()["error"]["details"]}
    assert paths == {("planId",), ("x",)}


async def test_the_portal_needs_a_customer_and_cancels_in_the_fake(client, auth):
    missing = await client.post("/api/billing/portal", headers=auth())
    assert missing.status_code == 404
    url = (
        await client.post("/api/billing/checkout", json={"planId": "starter"}, headers=auth())
    ).json()["data"]["url"]
    await client.post(url.removeprefix("http://127.0.0.1:8000"))

    portal = await client.post("/api/billing/portal", headers=auth())

    assert portal.status_code == 200
    path = portal.json()["data"]["url"].removeprefix("http://127.0.0.1:8000")
    assert (await client.post(path, follow_redirects=False)).status_code == 303
    assert await _plan(client) == "free"


async def test_stripe_unreachable_is_502(settings, auth):
    stripe = msgspec_replace(
        settings,
        payments="stripe",
        stripe_secret_key="sk_test_1",
        stripe_price_starter="price_s",
        stripe_price_pro="price_p",
        stripe_meter_event="calls",
        stripe_api_base="http://127.0.0.1:9",
    )
    async with AsyncTestClient(create_app(build_container(stripe))) as client:
        response = await client.post(
            "/api/billing/checkout", json={"planId": "starter"}, headers=auth()
        )

    assert response.status_code == 502
    assert response.json()["error"]["code"] == "UPSTREAM_ERROR"
    assert response.json()["error"]["details"]["reason"] == "connect"


def msgspec_replace(settings: Settings, **changes: Any) -> Settings:
    import msgspec

    return msgspec.structs.replace(settings, **changes)

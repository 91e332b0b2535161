"""The Stripe adapter, with the real SDK, against a fake Stripe API on 127.0.0.1."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from adapters.payments.stripe_payment_gateway import StripePaymentGateway
from domain.billing.plan_prices import PlanPrices
from domain.errors import InvalidRequest, NotFound, UpstreamUnavailable
from domain.users import User
from tests.support.fake_stripe import FakeStripe
from tests.support.threaded_upstream import threaded_upstream

NOW = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)
USER = User(id="user_a", email="a@example.com", name="Ada", created_at=NOW, updated_at=NOW)
PRICES = PlanPrices({"starter": "price_starter", "pro": "price_pro"})


@pytest.fixture
def stripe_api():
    fake = FakeStripe()
    with threaded_upstream(fake) as server:
        yield fake, server.url


@pytest.fixture
async def gateway(stripe_api):
    _, url = stripe_api
    gateway = StripePaymentGateway(
        "sk_test_123", PRICES, "api_calls", api_base=url, max_network_retries=0
    )
    yield gateway
    await gateway.aclose()


async def test_creates_a_subscription_checkout_for_the_plan_price(gateway, stripe_api):
    fake, _ = stripe_api
    session = await gateway.create_checkout_session(
        USER, "starter", "cus_123", "https://app.test/ok", "https://app.test/no"
    )

    assert session.url == "https://checkout.stripe.test/c/cs_123"
    assert session.session_id == "cs_123"
    method, path, form, headers = fake.forms[-1]
    assert (method, path) == ("POST", "/v1/checkout/sessions")
    assert form["mode"] == "subscription"
    assert form["line_items[0][price]"] == "price_starter"
    assert form["line_items[0][quantity]"] == "1"
    assert form["customer"] == "cus_123"
    assert form["client_reference_id"] == "user_a"
    assert form["metadata[user_id]"] == "user_a"
    assert form["subscription_data[metadata][user_id]"] == "user_a"
    assert form["success_url"] == "https://app.test/ok"
    assert form["cancel_url"] == "https://app.test/no"
    assert headers["authorization"] == "Bearer sk_test_123"


async def test_creates_the_customer_once_with_an_idempotency_key(gateway, stripe_api):
    fake, _ = stripe_api
    assert await gateway.ensure_customer(USER) == "cus_123"

    _, path, form, headers = fake.forms[-1]
    assert path == "/v1/customers"
    assert form == {"metadata[user_id]": "user_a", "email": "a@example.com", "name": "Ada"}
    assert headers["idempotency-key"] == "customer:user_a"


async def test_opens_the_billing_portal(gateway, stripe_api):
    fake, _ = stripe_api
    url = await gateway.create_portal_session("cus_123", "https://app.test/back")

    assert url == "https://billing.stripe.test/p/bps_1"
    assert fake.forms[-1][1:3] == (
        "/v1/billing_portal/sessions",
        {"customer": "cus_123", "return_url": "https://app.test/back"},
    )


async def test_cancels_with_an_idempotency_key_and_takes_a_missing_one_as_done(gateway, stripe_api):
    fake, _ = stripe_api
    await gateway.cancel_subscription("sub_1")
    method, path, _, headers = fake.forms[-1]
    assert (method, path, headers["idempotency-key"]) == (
        "DELETE",
        "/v1/subscriptions/sub_1",
        "cancel:sub_1",
    )

    fake.fail["/v1/subscriptions/sub_2"] = FakeStripe.error(
        404, "invalid_request_error", "resource_missing"
    )
    await gateway.cancel_subscription("sub_2")  # no error


async def test_reports_overage_as_a_meter_event_with_its_identifier(gateway, stripe_api):
    fake, _ = stripe_api
    await gateway.report_overage("cus_123", 42, "overage:cus_123:2026-12:42", NOW)

    _, path, form, headers = fake.forms[-1]
    assert path == "/v1/billing/meter_events"
    assert form == {
        "event_name": "api_calls",
        "payload[stripe_customer_id]": "cus_123",
        "payload[value]": "42",
        "identifier": "overage:cus_123:2026-12:42",
        "timestamp": str(int(NOW.timestamp())),
    }
    assert headers["idempotency-key"] == "overage:cus_123:2026-12:42"


@pytest.mark.parametrize(
    ("status", "kind", "code", "expected", "reason"),
    [
        (500, "api_error", None, UpstreamUnavailable, "bad_response"),
        (401, "invalid_request_error", None, UpstreamUnavailable, "bad_response"),
        (429, "invalid_request_error", "rate_limit", UpstreamUnavailable, "bad_response"),
        (400, "invalid_request_error", "parameter_invalid", UpstreamUnavailable, "bad_response"),
        (402, "card_error", "card_declined", InvalidRequest, "payment_declined"),
        (404, "invalid_request_error", "resource_missing", NotFound, None),
    ],
)
async def test_maps_stripe_errors_to_the_contract(
    gateway, stripe_api, status, kind, code, expected, reason
):
    fake, _ = stripe_api
    fake.fail["/v1/billing_portal/sessions"] = FakeStripe.error(status, kind, code)

    with pytest.raises(expected) as caught:
        await gateway.create_portal_session("cus_123", "https://app.test/back")

    assert getattr(caught.value, "reason", None) == reason
    assert "sk_test" not in caught.value.message


async def test_an_unreachable_stripe_is_upstream_unavailable():
    gateway = StripePaymentGateway(
        "sk_test_123", PRICES, "api_calls", api_base="http://127.0.0.1:9", max_network_retries=0
    )
    try:
        with pytest.raises(UpstreamUnavailable) as caught:
            await gateway.create_portal_session("cus_123", "https://app.test/back")
    finally:
        await gateway.aclose()
    assert caught.value.reason == "connect"

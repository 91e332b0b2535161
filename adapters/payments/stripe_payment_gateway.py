"""StripePaymentGateway: Checkout, Billing Portal, customers and meter events via StripeClient."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import stripe

from adapters.payments.stripe_errors import stripe_errors_translated
from application.ports.payments import CheckoutSession
from domain.billing.plan_prices import PlanPrices
from domain.errors import NotFound, UpstreamUnavailable
from domain.users import User

__all__ = ["StripePaymentGateway"]


class StripePaymentGateway:
    """The official SDK's `StripeClient` on its async httpx client.

    `api_base` replaces Stripe's API address (the tests' local fake Stripe); meter events go
    to the same base then. Requests that create something carry idempotency keys derived
    from what they create, so a retry (the SDK's or the outbox's) has one effect.
    """

    def __init__(
        self,
        secret_key: str,
        prices: PlanPrices,
        meter_event: str | None,
        *,
        api_base: str | None = None,
        timeout_seconds: float = 20.0,
        max_network_retries: int = 2,
    ) -> None:
        self._prices = prices
        self._meter_event = meter_event
        self._http = stripe.HTTPXClient(timeout=timeout_seconds)
        bases: Any = {"api": api_base, "meter_events": api_base} if api_base else None
        self._client = stripe.StripeClient(
            secret_key,
            base_addresses=bases,
            http_client=self._http,
            max_network_retries=max_network_retries,
        )

    async def ensure_customer(self, user: User) -> str:
        params: dict[str, Any] = {"metadata": {"user_id": user.id}}
        if user.email:
            params["email"] = user.email
        if user.name:
            params["name"] = user.name
        with stripe_errors_translated("Stripe customer"):
            customer = await self._client.v1.customers.create_async(
                params=params,  # type: ignore[arg-type]
                options={"idempotency_key": f"customer:{user.id}"},
            )
        return str(customer.id)

    async def create_checkout_session(
        self,
        user: User,
        plan_id: str,
        customer_id: str | None,
        success_url: str,
        cancel_url: str,
    ) -> CheckoutSession:
        price = self._prices.price_of(plan_id)
        if price is None:
            raise UpstreamUnavailable(
                f"No Stripe price is configured for {plan_id}.", reason="bad_response"
            )
        tags = {"user_id": user.id, "plan": plan_id}
        params: dict[str, Any] = {
            "mode": "subscription",
            "line_items": [{"price": price, "quantity": 1}],
            "client_reference_id": user.id,
            "metadata": tags,
            # Copied onto the subscription, so its events name the user too.
            "subscription_data": {"metadata": tags},
            "success_url": success_url,
            "cancel_url": cancel_url,
        }
        if customer_id:
            params["customer"] = customer_id
        elif user.email:
            params["customer_email"] = user.email
        with stripe_errors_translated("Stripe customer"):
            session = await self._client.v1.checkout.sessions.create_async(
                params=params  # type: ignore[arg-type]
            )
        if not session.url:
            raise UpstreamUnavailable("Stripe returned no checkout URL.", reason="bad_response")
        return CheckoutSession(
            url=str(session.url),
            session_id=str(session.id),
            customer_id=str(session.customer or customer_id or ""),
        )

    async def create_portal_session(self, customer_id: str, return_url: str) -> str:
        with stripe_errors_translated("Stripe customer"):
            session = await self._client.v1.billing_portal.sessions.create_async(
                params={"customer": customer_id, "return_url": return_url}
            )
        return str(session.url)

    async def cancel_subscription(self, subscription_id: str) -> None:
        try:
            with stripe_errors_translated("Stripe subscription"):
                await self._client.v1.subscriptions.cancel_async(
                    subscription_id, options={"idempotency_key": f"cancel:{subscription_id}"}
                )
        except NotFound:
            return  # already gone: what we wanted

    async def report_overage(
        self, customer_id: str, quantity: int, identifier: str, timestamp: datetime
    ) -> None:
        if not self._meter_event:
            raise UpstreamUnavailable("No Stripe meter event is configured.", reason="bad_response")
        params: Any = {
            "event_name": self._meter_event,
            "payload": {"stripe_customer_id": customer_id, "value": str(quantity)},
            "identifier": identifier,
            "timestamp": int(timestamp.timestamp()),
        }
        with stripe_errors_translated("Stripe customer"):
            await self._client.v1.billing.meter_events.create_async(
                params=params, options={"idempotency_key": identifier}
            )

    async def aclose(self) -> None:
        await self._http.close_async()  # type: ignore[no-untyped-call]

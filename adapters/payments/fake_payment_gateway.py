"""FakePaymentGateway: a payment provider in process memory, for the embedded default and tests.

Its checkout and portal URLs lead to pages of this app (`/billing/fake-checkout/{id}`,
`/billing/fake-portal/{customer}`). Completing a checkout or cancelling there produces the
events Stripe would send, handed to the same use case the Stripe webhook feeds, so the whole
flow can be tried without Stripe. State lives in one process: a demo, not a deployment.
"""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable
from datetime import datetime

import msgspec

from application.ports.clock import Clock
from application.ports.payments import CheckoutSession
from domain.billing.payment_events import (
    CHECKOUT_COMPLETED,
    SUBSCRIPTION_CREATED,
    SUBSCRIPTION_DELETED,
    PaymentEvent,
)
from domain.billing.plan_prices import PlanPrices
from domain.errors import NotFound
from domain.users import User

__all__ = ["FAKE_PRICES", "FakeCheckout", "FakePaymentGateway"]

FAKE_PRICES = PlanPrices({"starter": "price_fake_starter", "pro": "price_fake_pro"})

EventSink = Callable[[PaymentEvent], Awaitable[object]]


class FakeCheckout(msgspec.Struct, kw_only=True):
    """One checkout session of the fake provider."""

    id: str
    user_id: str
    plan_id: str
    customer_id: str
    success_url: str
    cancel_url: str
    subscription_id: str | None = None


def _token(prefix: str) -> str:
    return f"{prefix}_{secrets.token_urlsafe(18)}"


class FakePaymentGateway:
    """Implements PaymentGateway; `events` receives what a webhook would deliver."""

    def __init__(self, public_url: str, clock: Clock, events: EventSink) -> None:
        self._public_url = public_url.rstrip("/")
        self._clock = clock
        self._events = events
        self.customers: dict[str, str] = {}
        self.checkouts: dict[str, FakeCheckout] = {}
        self.subscriptions: dict[str, FakeCheckout] = {}
        self.cancelled: list[str] = []
        self.meter_events: dict[str, tuple[str, int, datetime]] = {}

    async def ensure_customer(self, user: User) -> str:
        return self.customers.setdefault(user.id, _token("cus_fake"))

    async def create_checkout_session(
        self,
        user: User,
        plan_id: str,
        customer_id: str | None,
        success_url: str,
        cancel_url: str,
    ) -> CheckoutSession:
        customer = customer_id or await self.ensure_customer(user)
        checkout = FakeCheckout(
            id=_token("cs_fake"),
            user_id=user.id,
            plan_id=plan_id,
            customer_id=customer,
            success_url=success_url,
            cancel_url=cancel_url,
        )
        self.checkouts[checkout.id] = checkout
        url = f"{self._public_url}/billing/fake-checkout/{checkout.id}"
        return CheckoutSession(url=url, session_id=checkout.id, customer_id=customer)

    async def create_portal_session(self, customer_id: str, return_url: str) -> str:
        return f"{self._public_url}/billing/fake-portal/{customer_id}"

    async def cancel_subscription(self, subscription_id: str) -> None:
        checkout = self.subscriptions.pop(subscription_id, None)
        self.cancelled.append(subscription_id)
        if checkout is not None:
            await self._emit(SUBSCRIPTION_DELETED, checkout, status="canceled")

    async def report_overage(
        self, customer_id: str, quantity: int, identifier: str, timestamp: datetime
    ) -> None:
        # Like Stripe's meter events: an identifier is counted once.
        self.meter_events.setdefault(identifier, (customer_id, quantity, timestamp))

    def checkout(self, session_id: str) -> FakeCheckout:
        """An open checkout session. Raises NotFound for an unknown or completed one."""
        checkout = self.checkouts.get(session_id)
        if checkout is None or checkout.subscription_id is not None:
            raise NotFound("Checkout session")
        return checkout

    async def complete_checkout(self, session_id: str) -> str:
        """Pay: emit checkout.session.completed and customer.subscription.created (active).

        Returns the success URL.
        """
        checkout = self.checkout(session_id)
        checkout.subscription_id = _token("sub_fake")
        self.subscriptions[checkout.subscription_id] = checkout
        await self._emit(CHECKOUT_COMPLETED, checkout)
        await self._emit(SUBSCRIPTION_CREATED, checkout, status="active")
        # Stripe fills this template in the success URL; so does the fake.
        return checkout.success_url.replace("{CHECKOUT_SESSION_ID}", checkout.id)

    def subscription_of(self, customer_id: str) -> str | None:
        """The customer's live subscription id, if any."""
        return next(
            (s for s, c in self.subscriptions.items() if c.customer_id == customer_id), None
        )

    async def _emit(self, kind: str, checkout: FakeCheckout, status: str | None = None) -> None:
        is_subscription = kind != CHECKOUT_COMPLETED
        await self._events(
            PaymentEvent(
                id=_token("evt_fake"),
                type=kind,
                created=self._clock.now(),
                user_id=checkout.user_id,
                customer_id=checkout.customer_id,
                subscription_id=checkout.subscription_id,
                status=status,
                price_id=FAKE_PRICES.price_of(checkout.plan_id) if is_subscription else None,
            )
        )

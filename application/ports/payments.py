"""PaymentGateway: the payment provider's API (checkout, portal, customers, usage)."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

import msgspec

from domain.users import User

__all__ = ["CheckoutSession", "PaymentGateway"]


class CheckoutSession(msgspec.Struct, frozen=True):
    """A hosted checkout page for one subscription purchase."""

    url: str
    session_id: str
    customer_id: str


class PaymentGateway(Protocol):
    """Every call may raise `UpstreamUnavailable` (provider unreachable or failing); a
    reference to something the provider no longer has raises `NotFound`."""

    async def ensure_customer(self, user: User) -> str:
        """A provider customer for `user`, created at most once per user (idempotent
        request); the caller stores the id and passes it back later."""

    async def create_checkout_session(
        self,
        user: User,
        plan_id: str,
        customer_id: str | None,
        success_url: str,
        cancel_url: str,
    ) -> CheckoutSession:
        """A subscription-mode checkout for the plan's price, tagged with the user's id."""

    async def create_portal_session(self, customer_id: str, return_url: str) -> str:
        """The URL of the customer's self-service billing portal."""

    async def cancel_subscription(self, subscription_id: str) -> None:
        """Cancel at once; a subscription that is already gone counts as cancelled."""

    async def report_overage(
        self, customer_id: str, quantity: int, identifier: str, timestamp: datetime
    ) -> None:
        """Send one billing meter event; the provider counts an `identifier` only once."""

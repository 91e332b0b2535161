"""PaymentEvent: one payment-provider event, reduced to what changes a subscription."""

from __future__ import annotations

from datetime import datetime

import msgspec

__all__ = [
    "CHECKOUT_COMPLETED",
    "HANDLED_EVENT_TYPES",
    "INVOICE_PAID",
    "INVOICE_PAYMENT_FAILED",
    "SUBSCRIPTION_CREATED",
    "SUBSCRIPTION_DELETED",
    "SUBSCRIPTION_UPDATED",
    "PaymentEvent",
]

CHECKOUT_COMPLETED = "checkout.session.completed"
SUBSCRIPTION_CREATED = "customer.subscription.created"
SUBSCRIPTION_UPDATED = "customer.subscription.updated"
SUBSCRIPTION_DELETED = "customer.subscription.deleted"
INVOICE_PAID = "invoice.paid"
INVOICE_PAYMENT_FAILED = "invoice.payment_failed"

HANDLED_EVENT_TYPES = frozenset(
    {
        CHECKOUT_COMPLETED,
        SUBSCRIPTION_CREATED,
        SUBSCRIPTION_UPDATED,
        SUBSCRIPTION_DELETED,
        INVOICE_PAID,
        INVOICE_PAYMENT_FAILED,
    }
)


class PaymentEvent(msgspec.Struct, frozen=True, kw_only=True):
    """A verified provider event. Fields the event type does not carry are None.

    `created` is the provider's own event time: it orders events per subscription, whatever
    order they are delivered in. `user_id` comes from the metadata or client reference we put
    on the checkout session and subscription.
    """

    id: str
    type: str
    created: datetime
    user_id: str | None = None
    customer_id: str | None = None
    subscription_id: str | None = None
    status: str | None = None
    price_id: str | None = None
    current_period_start: datetime | None = None
    current_period_end: datetime | None = None

    @property
    def is_handled(self) -> bool:
        return self.type in HANDLED_EVENT_TYPES

"""How one payment event moves a subscription (API.md §9), as a pure function.

Events are applied per subscription in the order of their `created` time, not of delivery:
an event older than the last one applied changes nothing, a `created` event never overrides
a later state of the same second, and an ended subscription never comes back.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import msgspec

from domain.billing.payment_events import (
    CHECKOUT_COMPLETED,
    INVOICE_PAID,
    INVOICE_PAYMENT_FAILED,
    SUBSCRIPTION_CREATED,
    SUBSCRIPTION_DELETED,
    SUBSCRIPTION_UPDATED,
    PaymentEvent,
)
from domain.billing.subscriptions import (
    ENDED_STATUSES,
    GRANTING_STATUSES,
    PAST_DUE,
    Subscription,
)

__all__ = ["PlanOfPrice", "next_subscription"]

PlanOfPrice = Callable[[str | None], str | None]
"""The plan id a provider price stands for, or None for a price we do not sell."""


def next_subscription(
    current: Subscription, event: PaymentEvent, plan_of_price: PlanOfPrice, now: datetime
) -> Subscription | None:
    """The subscription after `event`, or None when the event changes nothing."""
    changed: Subscription | None
    if event.type == CHECKOUT_COMPLETED:
        changed = _linked(current, event)
    elif event.type in (SUBSCRIPTION_CREATED, SUBSCRIPTION_UPDATED, SUBSCRIPTION_DELETED):
        changed = _subscription_changed(current, event, plan_of_price)
    elif event.type in (INVOICE_PAID, INVOICE_PAYMENT_FAILED):
        changed = _invoice_settled(current, event)
    else:
        changed = None
    if changed is None or changed == current:
        return None
    return msgspec.structs.replace(changed, updated_at=now)


def _is_stale(current: Subscription, event: PaymentEvent) -> bool:
    last = current.last_event_at
    if last is None:
        return False
    # Same second: `created` is by definition the first state, so it never wins a tie.
    return event.created < last or (event.created == last and event.type == SUBSCRIPTION_CREATED)


def _is_live(current: Subscription) -> bool:
    return current.subscription_id is not None and current.status not in ENDED_STATUSES


def _is_paid(current: Subscription) -> bool:
    return current.status in GRANTING_STATUSES or current.status == PAST_DUE


def _linked(current: Subscription, event: PaymentEvent) -> Subscription:
    """A completed checkout names the customer and the subscription it created."""
    customer = current.customer_id or event.customer_id
    subscription = current.subscription_id
    if event.subscription_id and not _is_live(current):
        subscription = event.subscription_id
    return msgspec.structs.replace(current, customer_id=customer, subscription_id=subscription)


def _subscription_changed(
    current: Subscription, event: PaymentEvent, plan_of_price: PlanOfPrice
) -> Subscription | None:
    same = event.subscription_id == current.subscription_id
    status = "canceled" if event.type == SUBSCRIPTION_DELETED else (event.status or "")
    if _is_stale(current, event):
        return None
    if same and current.status in ENDED_STATUSES:
        return None  # a canceled subscription stays canceled
    if not same and _is_paid(current) and status not in GRANTING_STATUSES:
        return None  # news of another subscription does not end the one the user pays for
    plan = plan_of_price(event.price_id)
    if plan is None:
        plan = current.plan if same else "free"
    return msgspec.structs.replace(
        current,
        customer_id=current.customer_id or event.customer_id,
        subscription_id=event.subscription_id or current.subscription_id,
        plan=plan,
        status=status,
        past_due=status == PAST_DUE,
        current_period_start=event.current_period_start or current.current_period_start,
        current_period_end=event.current_period_end or current.current_period_end,
        last_event_at=event.created,
    )


def _invoice_settled(current: Subscription, event: PaymentEvent) -> Subscription | None:
    if event.subscription_id is not None and event.subscription_id != current.subscription_id:
        return None
    if _is_stale(current, event) or not _is_live(current):
        return None
    if event.type == INVOICE_PAYMENT_FAILED:
        if current.status not in GRANTING_STATUSES and current.status != PAST_DUE:
            return None
        return msgspec.structs.replace(
            current, status=PAST_DUE, past_due=True, last_event_at=event.created
        )
    if current.status != PAST_DUE:
        return msgspec.structs.replace(current, last_event_at=event.created)
    return msgspec.structs.replace(
        current, status="active", past_due=False, last_event_at=event.created
    )

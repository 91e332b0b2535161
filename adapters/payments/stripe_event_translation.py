"""`payment_event`: a Stripe event (snapshot payload, as JSON) reduced to a PaymentEvent.

Reads the shapes of both older and newer Stripe API versions: ids that may come expanded
into objects, the current period on the subscription or on its items, and the invoice's
subscription at the top or under `parent.subscription_details`.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from domain.billing.payment_events import (
    CHECKOUT_COMPLETED,
    INVOICE_PAID,
    INVOICE_PAYMENT_FAILED,
    SUBSCRIPTION_CREATED,
    SUBSCRIPTION_DELETED,
    SUBSCRIPTION_UPDATED,
    PaymentEvent,
)

__all__ = ["payment_event"]

_SUBSCRIPTION_TYPES = (SUBSCRIPTION_CREATED, SUBSCRIPTION_UPDATED, SUBSCRIPTION_DELETED)


def _id(value: Any) -> str | None:
    if isinstance(value, dict):
        value = value.get("id")
    return value if isinstance(value, str) and value else None


def _moment(value: Any) -> datetime | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return datetime.fromtimestamp(value, UTC)
    return None


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _first_item(subscription: dict[str, Any]) -> dict[str, Any]:
    items = _dict(subscription.get("items")).get("data")
    return _dict(items[0]) if isinstance(items, list) and items else {}


def payment_event(event: dict[str, Any]) -> PaymentEvent:
    """The PaymentEvent of a verified Stripe event.

    Raises:
        ValueError: the event lacks its id, type or creation time.
    """
    event_id, kind, created = event.get("id"), event.get("type"), _moment(event.get("created"))
    if not isinstance(event_id, str) or not isinstance(kind, str) or created is None:
        raise ValueError("not a Stripe event: id, type and created are required")
    obj = _dict(_dict(event.get("data")).get("object"))
    metadata = _dict(obj.get("metadata"))
    base: dict[str, Any] = {"id": event_id, "type": kind, "created": created}
    if kind == CHECKOUT_COMPLETED:
        return PaymentEvent(
            **base,
            user_id=_id(obj.get("client_reference_id")) or _id(metadata.get("user_id")),
            customer_id=_id(obj.get("customer")),
            subscription_id=_id(obj.get("subscription")),
        )
    if kind in _SUBSCRIPTION_TYPES:
        item = _first_item(obj)
        return PaymentEvent(
            **base,
            user_id=_id(metadata.get("user_id")),
            customer_id=_id(obj.get("customer")),
            subscription_id=_id(obj.get("id")),
            status=obj.get("status") if isinstance(obj.get("status"), str) else None,
            price_id=_id(item.get("price")),
            current_period_start=_moment(
                obj.get("current_period_start", item.get("current_period_start"))
            ),
            current_period_end=_moment(
                obj.get("current_period_end", item.get("current_period_end"))
            ),
        )
    if kind in (INVOICE_PAID, INVOICE_PAYMENT_FAILED):
        details = _dict(_dict(obj.get("parent")).get("subscription_details"))
        return PaymentEvent(
            **base,
            customer_id=_id(obj.get("customer")),
            subscription_id=_id(obj.get("subscription")) or _id(details.get("subscription")),
        )
    return PaymentEvent(**base)

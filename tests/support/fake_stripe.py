"""A fake Stripe API on 127.0.0.1, for the real SDK to talk to, and Stripe webhook signing."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from tests.support.upstream_server import ReceivedRequest, Reply

__all__ = ["FakeStripe", "sign_stripe", "stripe_event", "subscription_object"]


def _json(status: int, body: dict[str, Any]) -> Reply:
    return Reply(
        status,
        {"content-type": "application/json", "request-id": "req_fake"},
        json.dumps(body).encode(),
    )


def _error(status: int, kind: str, code: str | None = None, message: str = "no") -> Reply:
    error: dict[str, Any] = {"type": kind, "message": message}
    if code:
        error["code"] = code
    return _json(status, {"error": error})


@dataclass
class FakeStripe:
    """Answers the calls the gateway makes; `fail` forces an error reply for a path."""

    fail: dict[str, Reply] = field(default_factory=dict)
    forms: list[tuple[str, str, dict[str, str], dict[str, str]]] = field(default_factory=list)

    def __call__(self, request: ReceivedRequest) -> Reply:
        form = dict(parse_qsl(request.body.decode()))
        self.forms.append((request.method, request.path, form, request.headers))
        if request.path in self.fail:
            return self.fail[request.path]
        path = request.path
        if path == "/v1/customers":
            return _json(200, {"id": "cus_123", "object": "customer"})
        if path == "/v1/checkout/sessions":
            return _json(
                200,
                {
                    "id": "cs_123",
                    "object": "checkout.session",
                    "url": "https://checkout.stripe.test/c/cs_123",
                    "customer": form.get("customer"),
                },
            )
        if path == "/v1/billing_portal/sessions":
            return _json(
                200,
                {
                    "id": "bps_1",
                    "object": "billing_portal.session",
                    "url": "https://billing.stripe.test/p/bps_1",
                },
            )
        if path.startswith("/v1/subscriptions/"):
            return _json(
                200, {"id": path.rsplit("/", 1)[1], "object": "subscription", "status": "canceled"}
            )
        if path == "/v1/billing/meter_events":
            return _json(200, {"object": "billing.meter_event", "identifier": form["identifier"]})
        return _error(404, "invalid_request_error", "resource_missing")

    @staticmethod
    def error(status: int, kind: str, code: str | None = None) -> Reply:
        return _error(status, kind, code)


def stripe_event(
    kind: str, obj: dict[str, Any], *, event_id: str | None = None, created: int | None = None
) -> bytes:
    """A Stripe event envelope (snapshot payload) around `obj`."""
    return json.dumps(
        {
            "id": event_id or f"evt_{time.time_ns()}",
            "object": "event",
            "type": kind,
            "created": created if created is not None else int(time.time()),
            "data": {"object": obj},
        }
    ).encode()


def sign_stripe(body: bytes, secret: str, timestamp: int | None = None) -> str:
    """The Stripe-Signature header, computed as Stripe documents it (HMAC-SHA256 of `t.body`)."""
    t = int(time.time()) if timestamp is None else timestamp
    mac = hmac.new(secret.encode(), f"{t}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={t},v1={mac}"


def subscription_object(
    status: str,
    price: str,
    *,
    subscription_id: str = "sub_1",
    customer: str = "cus_1",
    user: str | None = "user_a",
) -> dict[str, Any]:
    """A Stripe subscription as its events carry it (current period on the item)."""
    now = int(time.time())
    return {
        "id": subscription_id,
        "object": "subscription",
        "customer": customer,
        "status": status,
        "metadata": {"user_id": user} if user else {},
        "items": {
            "data": [
                {
                    "price": {"id": price},
                    "current_period_start": now,
                    "current_period_end": now + 30 * 86400,
                }
            ]
        },
    }

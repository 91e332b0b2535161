"""StripeEventVerifier: the Stripe-Signature check of the official SDK, and the event read."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping

import stripe

from adapters.payments.stripe_event_translation import payment_event
from domain.billing.payment_events import PaymentEvent
from domain.errors import WebhookRejected

__all__ = ["StripeEventVerifier"]

TOLERANCE_SECONDS = 300


class StripeEventVerifier:
    """Verifies with `stripe.Webhook.construct_event` (HMAC-SHA256 over `t.body`, any of
    several `v1` signatures, timestamps older than the tolerance refused).

    The SDK accepts timestamps from the future; a signature dated more than the tolerance
    ahead is refused here as well, so a captured request cannot be held back and replayed.
    """

    def __init__(
        self,
        secret: str,
        tolerance_seconds: int = TOLERANCE_SECONDS,
        now: Callable[[], float] = time.time,
    ) -> None:
        self._secret = secret
        self._tolerance = tolerance_seconds
        self._now = now

    def verify(self, body: bytes, headers: Mapping[str, str]) -> PaymentEvent:
        header = headers.get("stripe-signature")
        if not header:
            raise WebhookRejected("Missing Stripe-Signature header.")
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            raise WebhookRejected("The body is not UTF-8.") from None
        self._refuse_future(header)
        try:
            stripe.Webhook.construct_event(text, header, self._secret, self._tolerance)
        except stripe.SignatureVerificationError as error:
            raise WebhookRejected(f"Invalid signature: {error.user_message or error}") from None
        except (ValueError, TypeError, AttributeError):
            raise WebhookRejected("The body is not a Stripe event.") from None
        try:
            return payment_event(json.loads(text))
        except (ValueError, TypeError, AttributeError):
            raise WebhookRejected("The body is not a Stripe event.") from None

    def _refuse_future(self, header: str) -> None:
        for item in header.split(","):
            key, _, value = item.strip().partition("=")
            if key == "t":
                try:
                    stamp = int(value)
                except ValueError:
                    raise WebhookRejected("Malformed Stripe-Signature header.") from None
                if stamp > self._now() + self._tolerance:
                    raise WebhookRejected("Invalid signature: timestamp is in the future.")
                return
        raise WebhookRejected("Malformed Stripe-Signature header.")

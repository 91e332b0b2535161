"""Webhook verifiers: a raw delivery in, a verified provider event out."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

from domain.billing.identity_events import IdentityEvent
from domain.billing.payment_events import PaymentEvent

__all__ = ["IdentityEventVerifier", "PaymentEventVerifier"]


class PaymentEventVerifier(Protocol):
    """Checks a payment provider's signature and reads the event.

    Raises:
        WebhookRejected: missing or bad signature, stale or future timestamp, malformed
            header, or a body that is not UTF-8 JSON. The message says which, never a secret.
    """

    def verify(self, body: bytes, headers: Mapping[str, str]) -> PaymentEvent: ...


class IdentityEventVerifier(Protocol):
    """Checks an identity provider's (Svix) signature and reads the event.

    Raises:
        WebhookRejected: as `PaymentEventVerifier`.
    """

    def verify(self, body: bytes, headers: Mapping[str, str]) -> IdentityEvent: ...

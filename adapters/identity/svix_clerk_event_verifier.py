"""SvixClerkEventVerifier: Clerk webhooks, verified by the official `svix` library."""

from __future__ import annotations

import binascii
import json
from collections.abc import Mapping
from typing import Any

from svix.webhooks import Webhook, WebhookVerificationError

from domain.billing.identity_events import IdentityEvent
from domain.errors import WebhookRejected

__all__ = ["SvixClerkEventVerifier"]


def _primary_email(user: Mapping[str, Any]) -> str | None:
    addresses = user.get("email_addresses")
    if not isinstance(addresses, list):
        return None
    primary = user.get("primary_email_address_id")
    chosen = next(
        (a for a in addresses if isinstance(a, dict) and a.get("id") == primary),
        next((a for a in addresses if isinstance(a, dict)), None),
    )
    email = chosen.get("email_address") if chosen else None
    return email if isinstance(email, str) else None


def _full_name(user: Mapping[str, Any]) -> str | None:
    parts = [user.get("first_name"), user.get("last_name")]
    name = " ".join(p.strip() for p in parts if isinstance(p, str) and p.strip())
    return name or None


class SvixClerkEventVerifier:
    """Accepts `svix-*` and `webhook-*` headers alike; 5 minutes of tolerance either way
    (the library's own window); several space-separated signatures, any of which may match.
    """

    def __init__(self, secret: str) -> None:
        self._webhook = Webhook(secret)

    def verify(self, body: bytes, headers: Mapping[str, str]) -> IdentityEvent:
        lowered = {k.lower(): v for k, v in headers.items()}
        message_id = lowered.get("svix-id") or lowered.get("webhook-id")
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            raise WebhookRejected("The body is not UTF-8.") from None
        try:
            self._webhook.verify(text, lowered)
        except WebhookVerificationError as error:
            raise WebhookRejected(f"Invalid signature: {error}") from None
        except (ValueError, binascii.Error):
            # The library unpacks "v1,<base64>" pairs and decodes them without a guard.
            raise WebhookRejected("Malformed signature header.") from None
        try:
            event = json.loads(text)
            kind = event["type"]
            data = event.get("data") or {}
        except (ValueError, TypeError, KeyError, AttributeError):
            raise WebhookRejected("The body is not a Clerk event.") from None
        if not isinstance(kind, str) or not isinstance(data, dict) or not message_id:
            raise WebhookRejected("The body is not a Clerk event.")
        user_id = data.get("id")
        return IdentityEvent(
            id=message_id,
            type=kind,
            user_id=user_id if isinstance(user_id, str) and user_id else None,
            email=_primary_email(data),
            name=_full_name(data),
        )

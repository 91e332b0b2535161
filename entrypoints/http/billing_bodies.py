"""Bodies and views of the checkout and portal routes (API.md §7)."""

from __future__ import annotations

from typing import Literal

import msgspec

__all__ = ["CheckoutBody", "CheckoutView", "PortalView"]


class CheckoutBody(msgspec.Struct, rename="camel", forbid_unknown_fields=True):
    """The paid plan to buy."""

    plan_id: Literal["starter", "pro"]


class CheckoutView(msgspec.Struct, frozen=True, rename="camel"):
    """Where to send the user to pay, and the session's id."""

    url: str
    session_id: str


class PortalView(msgspec.Struct, frozen=True):
    """The customer's billing portal."""

    url: str

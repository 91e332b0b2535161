"""Subscription: a user's paid plan as the payment provider last told us (API.md §9)."""

from __future__ import annotations

from datetime import datetime

import msgspec

__all__ = ["ENDED_STATUSES", "GRANTING_STATUSES", "PAST_DUE", "Subscription"]

# `active` and `trialing` grant the plan; `past_due` keeps it and flags the account; the
# ended statuses return the user to free. Any other status (`incomplete`, `paused`) grants
# nothing new: the plan is only given once it is paid for.
GRANTING_STATUSES = frozenset({"active", "trialing"})
PAST_DUE = "past_due"
ENDED_STATUSES = frozenset({"canceled", "unpaid", "incomplete_expired", "deleted"})


class Subscription(msgspec.Struct, frozen=True, kw_only=True):
    """One row per user: the provider customer, the current subscription and its state.

    `last_event_at` is the `created` time of the newest event applied: an older event that
    arrives later never moves the subscription back.
    """

    user_id: str
    customer_id: str | None = None
    subscription_id: str | None = None
    plan: str = "free"
    status: str = "none"
    past_due: bool = False
    current_period_start: datetime | None = None
    current_period_end: datetime | None = None
    last_event_at: datetime | None = None
    updated_at: datetime

    @property
    def effective_plan(self) -> str:
        """The plan the user gets now: the subscribed plan while it is paid or past due."""
        if self.status in GRANTING_STATUSES or self.status == PAST_DUE:
            return self.plan
        return "free"

    @property
    def is_cancellable(self) -> bool:
        """Whether the provider still has a live subscription to cancel."""
        return self.subscription_id is not None and self.status not in ENDED_STATUSES

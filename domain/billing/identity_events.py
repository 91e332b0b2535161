"""IdentityEvent: one identity-provider (Clerk) event about a user account."""

from __future__ import annotations

import msgspec

__all__ = ["USER_CREATED", "USER_DELETED", "USER_UPDATED", "IdentityEvent"]

USER_CREATED = "user.created"
USER_UPDATED = "user.updated"
USER_DELETED = "user.deleted"


class IdentityEvent(msgspec.Struct, frozen=True, kw_only=True):
    """A verified event. `id` is the delivery's message id (`svix-id`), the idempotency key."""

    id: str
    type: str
    user_id: str | None = None
    email: str | None = None
    name: str | None = None

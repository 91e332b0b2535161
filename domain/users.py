"""Users: the account behind every resource."""

from __future__ import annotations

from datetime import datetime

import msgspec

__all__ = ["User"]


class User(msgspec.Struct, frozen=True, kw_only=True):
    """An account. `id` is the identity provider's subject (Clerk's `sub`)."""

    id: str
    plan: str = "free"
    email: str | None = None
    name: str | None = None
    created_at: datetime
    updated_at: datetime

    def __post_init__(self) -> None:
        if not self.id or len(self.id) > 255:
            raise ValueError("a user id is 1..255 characters")

"""Time helpers that keep the domain free of wall-clock calls."""

from __future__ import annotations

from datetime import UTC, datetime

__all__ = ["ensure_utc"]


def ensure_utc(moment: datetime) -> datetime:
    """Return `moment` as an aware UTC datetime (naive values are taken as UTC)."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)

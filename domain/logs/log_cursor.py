"""The opaque keyset cursor of log listings: the (timestamp, id) of the last row served."""

from __future__ import annotations

import base64
import binascii
from datetime import UTC, datetime

import msgspec

__all__ = ["LogCursor"]

_VERSION = "1"


class LogCursor(msgspec.Struct, frozen=True):
    """Rows strictly older than (`created_at`, `id`) come next (newest first ordering)."""

    created_at: datetime
    id: str

    def encode(self) -> str:
        """Base64url text, versioned so that the format can change without breaking clients."""
        micros = int(self.created_at.timestamp()) * 1_000_000 + self.created_at.microsecond
        raw = f"{_VERSION}|{micros}|{self.id}".encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    @classmethod
    def decode(cls, text: str) -> LogCursor:
        """The cursor `encode` made.

        Raises:
            ValueError: anything else (wrong version, tampered, truncated).
        """
        try:
            raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)).decode()
        except (binascii.Error, UnicodeDecodeError, ValueError):
            raise ValueError("not a log cursor") from None
        version, _, rest = raw.partition("|")
        micros_text, _, row_id = rest.partition("|")
        if version != _VERSION or not micros_text.isdigit() or not row_id or len(row_id) > 64:
            raise ValueError("not a log cursor")
        seconds, micros = divmod(int(micros_text), 1_000_000)
        try:
            moment = datetime.fromtimestamp(seconds, UTC).replace(microsecond=micros)
        except (OverflowError, OSError, ValueError):
            raise ValueError("not a log cursor") from None
        return cls(moment, row_id)

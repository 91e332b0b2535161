"""What a guarded request returns: the final answer, its body capped."""

from __future__ import annotations

import msgspec

__all__ = ["GuardedResponse"]


class GuardedResponse(msgspec.Struct, frozen=True):
    """The final response after redirects.

    Attributes:
        status: HTTP status code.
        headers: (name, value) pairs as received, names lower-cased, repeats kept.
        content: the body, decoded from any content-encoding, at most the cap.
        truncated: True when the body was longer than the cap and cut.
        url: the URL that answered (after redirects).
        elapsed_ms: milliseconds from the first byte sent to the last byte read.
    """

    status: int
    headers: tuple[tuple[str, str], ...]
    content: bytes
    truncated: bool
    url: str
    elapsed_ms: float

    def header(self, name: str) -> str | None:
        """The first value of a header, matched case-insensitively, or None."""
        wanted = name.lower()
        return next((value for key, value in self.headers if key == wanted), None)

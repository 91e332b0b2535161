"""What a log may keep of a body: at most 16 KiB of text, with every known secret removed."""

from __future__ import annotations

import base64
from collections.abc import Iterable

from domain.execution.redaction import MASK

__all__ = ["captured_body", "secret_forms"]

BODY_LIMIT = 16 * 1024
_TRUNCATED = "…[truncated]"
_MIN_SECRET_LENGTH = 4  # shorter values would mask ordinary words, and guess nothing


def secret_forms(secrets: Iterable[str]) -> tuple[str, ...]:
    """The secrets and the encodings an upstream may echo them in (base64 for basic auth)."""
    forms: set[str] = set()
    for secret in secrets:
        if len(secret) < _MIN_SECRET_LENGTH:
            continue
        forms.add(secret)
        forms.add(base64.b64encode(secret.encode()).decode())
        if secret.lower().startswith(("bearer ", "basic ")):
            forms.add(secret.split(" ", 1)[1])
    # Longest first: a secret that contains another is masked whole.
    return tuple(sorted((f for f in forms if len(f) >= _MIN_SECRET_LENGTH), key=len, reverse=True))


def captured_body(content: bytes | str | None, secrets: tuple[str, ...] = ()) -> str | None:
    """The body as text, secrets masked, NUL characters replaced (U+FFFD), cut to 16 KiB (UTF-8)
    and marked when cut.

    Secrets are masked before cutting, so a secret split by the cut cannot leak its first half.
    """
    if content is None:
        return None
    raw = content.encode() if isinstance(content, str) else content
    # Masking never lengthens text (a secret is longer than the mask), so nothing past the
    # limit plus the longest secret can end up in the kept part: decode only that much.
    reach = BODY_LIMIT + max((len(s.encode()) for s in secrets), default=0)
    text = raw[:reach].decode("utf-8", errors="ignore" if len(raw) > reach else "replace")
    for secret in secrets:
        text = text.replace(secret, MASK)
    # PostgreSQL text cannot hold NUL: one such row would fail its whole batch of log rows.
    text = text.replace("\x00", "\ufffd")
    encoded = text.encode()
    if len(encoded) <= BODY_LIMIT and len(raw) <= reach:
        return text
    cut = BODY_LIMIT - len(_TRUNCATED.encode())
    return encoded[:cut].decode("utf-8", errors="ignore") + _TRUNCATED

"""Keys for the content of plain (decoded JSON or YAML) values, for memos by content."""

from __future__ import annotations

from typing import Any, Final

import msgspec

__all__ = ["content_key"]

_ENCODER: Final = msgspec.msgpack.Encoder()


def content_key(value: Any) -> bytes | None:
    """The MessagePack encoding of `value`, made in C; None when it cannot be encoded.

    Unlike JSON it keeps types apart (`1` and `"1"` keys, NaN and null), so equal keys mean
    equal content. None (an object that is not plain data, an integer beyond 64 bits, a
    structure too deep): the caller falls back to the value's identity.
    """
    try:
        return _ENCODER.encode(value)
    except (TypeError, OverflowError, RecursionError, msgspec.EncodeError):
        return None

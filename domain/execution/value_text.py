"""How one argument value reads as text inside a URL, a header or a form field."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import msgspec

from domain.openapi.media_types import is_json_like

__all__ = ["content_text", "json_text", "object_items", "scalar_text"]


def json_text(value: Any) -> str:
    """Compact JSON text (msgspec), for nested values and `content` parameters."""
    return msgspec.json.encode(value).decode("utf-8")


def content_text(content_type: str, value: Any) -> str:
    """A `content` parameter: a string stays as it is for non-JSON media types, else JSON text."""
    if isinstance(value, str) and not is_json_like(content_type):
        return value
    return json_text(value)


def scalar_text(value: Any) -> str:
    """Strings as they are, booleans as `true`/`false`, numbers as JSON, anything else as JSON."""
    if isinstance(value, str):
        return value
    if value is None:
        return ""
    return json_text(value)


def object_items(value: Mapping[Any, Any]) -> list[tuple[str, str]]:
    """The (key, text) pairs of an object, in order, without its null members."""
    return [(str(key), scalar_text(item)) for key, item in value.items() if item is not None]

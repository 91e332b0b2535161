"""Query parameters: `form`, `spaceDelimited`, `pipeDelimited` and `deepObject` styles."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from domain.execution.percent_encoding import encode_query, encode_query_reserved
from domain.execution.value_text import content_text, object_items, scalar_text
from domain.openapi.tools import ArgumentRoute

__all__ = ["query_pairs"]

Encoder = Callable[[str], str]
# The delimiters of the two non-exploded styles, already percent-encoded as the spec shows them.
_DELIMITERS = {"spaceDelimited": "%20", "pipeDelimited": "%7C"}


def _items(value: list[Any], encode: Encoder) -> list[str]:
    return [encode(scalar_text(item)) for item in value if item is not None]


def _pairs(value: Mapping[Any, Any], encode: Encoder) -> list[tuple[str, str]]:
    return [(encode_query(k), encode(v)) for k, v in object_items(value)]


def _form(name: str, value: Any, explode: bool, delimiter: str, encode: Encoder) -> list[str]:
    if isinstance(value, list):
        items = _items(value, encode)
        if explode:
            return [f"{name}={item}" for item in items]
        return [f"{name}={delimiter.join(items)}"] if items else []
    if isinstance(value, Mapping):
        pairs = _pairs(value, encode)
        if explode:
            return [f"{key}={text}" for key, text in pairs]
        flat = [part for pair in pairs for part in pair]
        return [f"{name}={delimiter.join(flat)}"] if flat else []
    return [f"{name}={encode(scalar_text(value))}"]


def _deep_object(name: str, value: Any, encode: Encoder) -> list[str]:
    # Nested objects nest their brackets and arrays repeat the key: the common reading of a
    # style the specification leaves undefined beyond one level.
    if isinstance(value, Mapping):
        pairs: list[str] = []
        for key, item in value.items():
            if item is not None:
                pairs.extend(_deep_object(f"{name}%5B{encode_query(str(key))}%5D", item, encode))
        return pairs
    return _form(name, value, True, ",", encode)


def query_pairs(route: ArgumentRoute, value: Any) -> list[str]:
    """The encoded `key=value` pairs of one query parameter; none for a null value."""
    if value is None:
        return []
    encode: Encoder = encode_query_reserved if route.allow_reserved else encode_query
    name = encode_query(route.wire_name)
    if route.content_type is not None:
        return [f"{name}={encode(content_text(route.content_type, value))}"]
    if route.style == "deepObject":
        return _deep_object(name, value, encode)
    delimiter = _DELIMITERS.get(route.style)
    if delimiter is not None and not route.explode:
        return _form(name, value, False, delimiter, encode)
    return _form(name, value, route.explode, ",", encode)

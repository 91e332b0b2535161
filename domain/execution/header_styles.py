"""Header (`simple` style, not percent-encoded) and cookie (`form` style) parameters."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from domain.execution.argument_errors import argument_error
from domain.execution.percent_encoding import encode_query
from domain.execution.value_text import object_items, scalar_text
from domain.openapi.media_types import is_json_like
from domain.openapi.tools import ArgumentRoute

__all__ = ["cookie_pairs", "header_text"]


def _is_header_safe(text: str) -> bool:
    # Printable ASCII and tab only: a CR or LF would let an argument inject headers, and
    # non-ASCII bytes have no portable meaning in a header value.
    return all(char == "\t" or " " <= char <= "~" for char in text)


def _header_content(content_type: str, value: Any) -> str:
    if isinstance(value, str) and not is_json_like(content_type):
        return value
    # ensure_ascii keeps non-ASCII text representable as \u escapes inside a header.
    return json.dumps(value, ensure_ascii=True, separators=(",", ":"))


def header_text(route: ArgumentRoute, value: Any) -> str:
    """The value of one header parameter (arrays and objects comma-joined)."""
    if route.content_type is not None:
        text = _header_content(route.content_type, value)
    elif isinstance(value, list):
        text = ",".join(scalar_text(item) for item in value if item is not None)
    elif isinstance(value, Mapping):
        pairs = object_items(value)
        if route.explode:
            text = ",".join(f"{key}={item}" for key, item in pairs)
        else:
            text = ",".join(part for pair in pairs for part in pair)
    else:
        text = scalar_text(value)
    if not _is_header_safe(text):
        raise argument_error(route.name, "a header value can hold printable ASCII characters only")
    return text


def cookie_pairs(route: ArgumentRoute, value: Any) -> list[str]:
    """The `name=value` pairs one cookie parameter adds to the Cookie header."""
    name = encode_query(route.wire_name)
    if route.content_type is not None:
        return [f"{name}={encode_query(_header_content(route.content_type, value))}"]
    if isinstance(value, list):
        items = [encode_query(scalar_text(item)) for item in value if item is not None]
        if route.explode:
            return [f"{name}={item}" for item in items]
        return [f"{name}={','.join(items)}"] if items else []
    if isinstance(value, Mapping):
        pairs = [(encode_query(k), encode_query(v)) for k, v in object_items(value)]
        if route.explode:
            return [f"{key}={item}" for key, item in pairs]
        flat = [part for pair in pairs for part in pair]
        return [f"{name}={','.join(flat)}"] if flat else []
    return [f"{name}={encode_query(scalar_text(value))}"]

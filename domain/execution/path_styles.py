"""Path parameters: OpenAPI 3 `simple`, `label` and `matrix` styles, percent-encoded."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from domain.execution.percent_encoding import encode_path
from domain.execution.value_text import content_text, object_items, scalar_text
from domain.openapi.tools import ArgumentRoute

__all__ = ["path_text"]


def _flat(pairs: list[tuple[str, str]]) -> list[str]:
    return [part for pair in pairs for part in pair]


def _label(route: ArgumentRoute, value: Any) -> str:
    if isinstance(value, list):
        items = [encode_path(scalar_text(item)) for item in value if item is not None]
        return "." + ("." if route.explode else ",").join(items)
    if isinstance(value, Mapping):
        pairs = [(encode_path(k), encode_path(v)) for k, v in object_items(value)]
        if route.explode:
            return "." + ".".join(f"{k}={v}" for k, v in pairs)
        return "." + ",".join(_flat(pairs))
    return "." + encode_path(scalar_text(value))


def _matrix(route: ArgumentRoute, value: Any) -> str:
    name = encode_path(route.wire_name)
    if isinstance(value, list):
        items = [encode_path(scalar_text(item)) for item in value if item is not None]
        if route.explode:
            return "".join(f";{name}={item}" for item in items) or f";{name}"
        return f";{name}={','.join(items)}" if items else f";{name}"
    if isinstance(value, Mapping):
        pairs = [(encode_path(k), encode_path(v)) for k, v in object_items(value)]
        if route.explode:
            return "".join(f";{k}={v}" for k, v in pairs) or f";{name}"
        return f";{name}={','.join(_flat(pairs))}" if pairs else f";{name}"
    text = encode_path(scalar_text(value))
    return f";{name}={text}" if text else f";{name}"


def _simple(route: ArgumentRoute, value: Any) -> str:
    if isinstance(value, list):
        return ",".join(encode_path(scalar_text(item)) for item in value if item is not None)
    if isinstance(value, Mapping):
        pairs = [(encode_path(k), encode_path(v)) for k, v in object_items(value)]
        if route.explode:
            return ",".join(f"{k}={v}" for k, v in pairs)
        return ",".join(_flat(pairs))
    return encode_path(scalar_text(value))


def path_text(route: ArgumentRoute, value: Any) -> str:
    """The text that replaces `{name}` in the path template (unknown styles act as simple)."""
    if route.content_type is not None:
        return encode_path(content_text(route.content_type, value))
    if route.style == "label":
        return _label(route, value)
    if route.style == "matrix":
        return _matrix(route, value)
    return _simple(route, value)

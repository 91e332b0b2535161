"""Request bodies: JSON, HTML forms, multipart, or a string sent as it is."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

import msgspec

from domain.execution.argument_errors import argument_error
from domain.execution.multipart_encoding import encode_multipart
from domain.execution.value_text import json_text, scalar_text
from domain.openapi.media_types import FORM, MULTIPART, is_json_like

__all__ = ["encode_body"]

_WILDCARDS = frozenset({"*/*", "application/*"})


def _essence(media_type: str) -> str:
    return media_type.split(";", 1)[0].strip().lower()


def _form_pairs(value: Mapping[Any, Any]) -> list[tuple[str, str]]:
    # Encoding Object defaults: arrays repeat the key (form, explode), nested values are JSON.
    pairs: list[tuple[str, str]] = []
    for key, item in value.items():
        name = str(key)
        if isinstance(item, list):
            pairs.extend((name, scalar_text(element)) for element in item if element is not None)
        elif isinstance(item, Mapping):
            pairs.append((name, json_text(item)))
        elif item is not None:
            pairs.append((name, scalar_text(item)))
    return pairs


def encode_body(
    argument: str,
    media_type: str,
    value: Any,
    *,
    binary_fields: frozenset[str] = frozenset(),
    boundary: str | None = None,
) -> tuple[bytes, str]:
    """The encoded body and its Content-Type for the operation's media type."""
    essence = _essence(media_type)
    if is_json_like(media_type):
        content_type = "application/json" if essence in _WILDCARDS else media_type
        return msgspec.json.encode(value), content_type
    if essence in (FORM, MULTIPART):
        if not isinstance(value, Mapping):
            raise argument_error(argument, f"must be an object to be sent as {essence}")
        if essence == FORM:
            return urlencode(_form_pairs(value)).encode("ascii"), media_type
        return encode_multipart(value, binary_fields, boundary)
    if not isinstance(value, str):
        raise argument_error(argument, f"must be a string to be sent as {essence}")
    return value.encode("utf-8"), media_type

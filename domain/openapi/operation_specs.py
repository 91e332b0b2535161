"""The compiler's version-neutral view of an operation, its parameters and its request body.

msgspec Structs: built thousands of times per document, and a Struct is built in C (a
NamedTuple's constructor is Python code). Never encoded; internal to one compile.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import msgspec

from domain.openapi.pointers import Where

__all__ = ["BodySpec", "OperationSpec", "ParameterSpec", "ResponseSpec"]


class ParameterSpec(msgspec.Struct, frozen=True):
    """One parameter, whatever the OpenAPI version (schemas still raw, with their document)."""

    name: str
    location: str
    required: bool
    schema: Any
    base: str
    description: str | None
    style: str
    explode: bool
    allow_reserved: bool
    content_type: str | None
    pointer: Where


class BodySpec(msgspec.Struct, frozen=True):
    """The chosen request body representation; `as_text` when it is sent as a raw string."""

    media_type: str
    schema: Any
    base: str
    required: bool
    description: str | None
    pointer: Where
    as_text: bool


class ResponseSpec(msgspec.Struct, frozen=True):
    """The schema of the first successful JSON-like response."""

    schema: Any
    base: str
    pointer: Where


class OperationSpec(msgspec.Struct, frozen=True):
    """One operation, normalised from Swagger 2.0 or OpenAPI 3.x."""

    method: str
    path: str
    pointer: Where
    node: Mapping[str, Any]
    parameters: tuple[ParameterSpec, ...]
    body: BodySpec | None
    response: ResponseSpec | None
    # `parameters` as the path item's then the operation's own, when they are known to be
    # those two parts one after the other (see the collector); the second is None when only
    # the first is shared with other operations.
    parts: tuple[tuple[ParameterSpec, ...], tuple[ParameterSpec, ...] | None] | None = None

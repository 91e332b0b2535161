"""The compiler's version-neutral view of an operation, its parameters and its request body."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

from domain.openapi.pointers import Where

__all__ = ["BodySpec", "OperationSpec", "ParameterSpec", "ResponseSpec"]


class ParameterSpec(NamedTuple):
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
    pointer: str


class BodySpec(NamedTuple):
    """The chosen request body representation; `as_text` when it is sent as a raw string."""

    media_type: str
    schema: Any
    base: str
    required: bool
    description: str | None
    pointer: str
    as_text: bool


class ResponseSpec(NamedTuple):
    """The schema of the first successful JSON-like response."""

    schema: Any
    base: str
    pointer: Where


class OperationSpec(NamedTuple):
    """One operation, normalised from Swagger 2.0 or OpenAPI 3.x."""

    method: str
    path: str
    pointer: str
    node: Mapping[str, Any]
    parameters: tuple[ParameterSpec, ...]
    body: BodySpec | None
    response: ResponseSpec | None

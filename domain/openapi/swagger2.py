"""Swagger 2.0 parameters, bodies and responses in the compiler's OpenAPI 3 terms (our own code).

Schemas need no rewriting: `#/definitions/...` refs resolve against the original document, and
the converter understands the 2.0 dialect (`type: file`, `x-nullable`, boolean exclusive bounds).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Final

from domain.openapi.media_types import FORM, MULTIPART, choose_media_type, is_json_like
from domain.openapi.operation_specs import BodySpec, ParameterSpec, ResponseSpec
from domain.openapi.parameters import default_style
from domain.openapi.pointers import Where, pointer_text
from domain.openapi.success_responses import success_responses
from domain.openapi.warnings import CompileWarning

__all__ = ["body_from_v2", "media_of_consumes", "parameter_from_v2", "response_from_v2"]

# The Parameter Object fields of 2.0 that are JSON Schema keywords.
_SCHEMA_FIELDS: Final = (
    "type",
    "format",
    "items",
    "default",
    "maximum",
    "exclusiveMaximum",
    "minimum",
    "exclusiveMinimum",
    "maxLength",
    "minLength",
    "pattern",
    "maxItems",
    "minItems",
    "uniqueItems",
    "enum",
    "multipleOf",
    "x-nullable",
)
# collectionFormat -> (style, explode); tsv has no OpenAPI 3 style.
_COLLECTION_FORMATS: Final = {
    "csv": ("form", False),
    "ssv": ("spaceDelimited", False),
    "pipes": ("pipeDelimited", False),
    "multi": ("form", True),
}


def _schema_of(node: Mapping[str, Any]) -> dict[str, Any]:
    return {k: node[k] for k in _SCHEMA_FIELDS if k in node}


def parameter_from_v2(
    node: Mapping[str, Any], base: str, pointer: Where
) -> tuple[ParameterSpec, CompileWarning | None]:
    """Normalise a checked 2.0 path, query or header parameter."""
    location = str(node["in"])
    fmt = node.get("collectionFormat", "csv")
    style, explode = _COLLECTION_FORMATS.get(fmt if isinstance(fmt, str) else "csv", ("", False))
    warning = None
    if not style:
        style, explode = "form", False
        warning = CompileWarning(
            "collection_format_approximated",
            f"collectionFormat {fmt!r} is sent comma-separated",
            pointer_text(pointer),
        )
    if location in ("path", "header"):
        style = "simple" if style == "form" else style
    if node.get("type") != "array":
        style = default_style(location)
        explode = style == "form"
    description = node.get("description")
    return ParameterSpec(
        name=str(node["name"]),
        location=location,
        required=location == "path" or node.get("required") is True,
        schema=_schema_of(node),
        base=base,
        description=description if isinstance(description, str) else None,
        style=style,
        explode=explode,
        allow_reserved=False,
        content_type=None,
        pointer=pointer,
    ), warning


def media_of_consumes(consumes: Sequence[object]) -> tuple[str | None, bool]:
    """The JSON-like media type a `body` parameter is sent as (None: say application/json),
    and whether `consumes` lists multipart/form-data (for `formData` parameters)."""
    return (
        choose_media_type([m for m in consumes if isinstance(m, str) and is_json_like(m)]),
        MULTIPART in consumes,
    )


def body_from_v2(
    body: tuple[Mapping[str, Any], str, Where] | None,
    form: Sequence[tuple[Mapping[str, Any], str, Where]],
    media: tuple[str | None, bool],
) -> BodySpec | None:
    """The request body from a `body` parameter or the `formData` parameters (`media`: what
    `media_of_consumes` says of the operation's `consumes`)."""
    if body is not None:
        node, base, pointer = body
        description = node.get("description")
        return BodySpec(
            media[0] or "application/json",
            node.get("schema", {}),
            base,
            node.get("required") is True,
            description if isinstance(description, str) else None,
            pointer,
            False,
        )
    if not form:
        return None
    has_file = any(node.get("type") == "file" for node, _, _ in form)
    media_type = MULTIPART if has_file or media[1] else FORM
    properties: dict[str, Any] = {}
    required: list[str] = []
    for node, _, _ in form:
        name = str(node["name"])
        schema = _schema_of(node)
        if isinstance(node.get("description"), str):
            schema["description"] = node["description"]
        properties[name] = schema
        if node.get("required") is True:
            required.append(name)
    schema_node: dict[str, Any] = {"type": "object", "properties": properties}
    if required:
        schema_node["required"] = required
    _, base, pointer = form[0]
    return BodySpec(media_type, schema_node, base, bool(required), None, pointer, as_text=False)


def response_from_v2(
    responses: Mapping[str, Any], follow: Any, base: str, pointer: Where
) -> ResponseSpec | None:
    """The schema of the first 2xx response (the caller checked that the operation produces
    JSON, or says nothing)."""
    for code, node, node_base in success_responses(responses, follow, base):
        if "schema" in node:
            return ResponseSpec(node["schema"], node_base, _schema_pointer(pointer, code))
    return None


def _schema_pointer(pointer: Where, code: str) -> Where:
    # The code is written as it is (not escaped) after `responses/`.
    if "/" in code or "~" in code:
        return f"{pointer_text(pointer)}/{code}/schema"
    return ((pointer, code), "schema")

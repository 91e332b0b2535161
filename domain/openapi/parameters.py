"""OpenAPI 3 Parameter Objects to ParameterSpec, with the serialisation defaults of the spec."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from domain.openapi.operation_specs import ParameterSpec
from domain.openapi.pointers import Where, pointer_text
from domain.openapi.warnings import CompileWarning

__all__ = ["LOCATIONS", "default_style", "parameter_from_v3", "problem_with_parameter"]

LOCATIONS: Final = ("path", "query", "header", "cookie")
# OpenAPI says these header parameters are ignored: the executor and the auth config own them.
_RESERVED_HEADERS: Final = frozenset({"accept", "content-type", "authorization"})


def default_style(location: str) -> str:
    """The style OpenAPI 3 implies for a location."""
    return "simple" if location in ("path", "header") else "form"


def problem_with_parameter(node: Any, pointer: str) -> CompileWarning | None:
    """Why a parameter object cannot become an argument, or None when it can."""
    if not isinstance(node, Mapping):
        return CompileWarning("parameter_skipped", "a parameter must be an object", pointer)
    name, location = node.get("name"), node.get("in")
    if not isinstance(name, str) or not name:
        return CompileWarning("parameter_skipped", "a parameter needs a name", pointer)
    if location not in LOCATIONS:
        return CompileWarning(
            "parameter_skipped", f"parameter {name!r} has an unsupported location", pointer
        )
    if location == "header" and name.lower() in _RESERVED_HEADERS:
        return CompileWarning(
            "parameter_ignored", f"header {name!r} is set by the server, not the caller", pointer
        )
    return None


def parameter_from_v3(
    node: Mapping[str, Any], base: str, pointer: Where
) -> tuple[ParameterSpec, CompileWarning | None]:
    """Normalise a checked OpenAPI 3 parameter (see `problem_with_parameter`)."""
    name, location = str(node["name"]), str(node["in"])
    style = node.get("style")
    style = style if isinstance(style, str) and style else default_style(location)
    explode = node.get("explode")
    explode = explode if isinstance(explode, bool) else style == "form"
    schema, content_type, warning = node.get("schema"), None, None
    content = node.get("content")
    if schema is None and isinstance(content, Mapping) and content:
        content_type = next(iter(content))
        media = content[content_type]
        schema = media.get("schema") if isinstance(media, Mapping) else None
        content_type = str(content_type)
    if schema is None:
        schema = {}
        warning = CompileWarning(
            "parameter_schema_missing",
            f"parameter {name!r} has no schema; any value accepted",
            pointer_text(pointer),
        )
    description = node.get("description")
    return ParameterSpec(
        name=name,
        location=location,
        required=location == "path" or node.get("required") is True,
        schema=schema,
        base=base,
        description=description if isinstance(description, str) else None,
        style=style,
        explode=explode,
        allow_reserved=node.get("allowReserved") is True,
        content_type=content_type,
        pointer=pointer,
    ), warning

"""Which body properties are files: `format: binary` strings in the tool's input schema."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["binary_body_fields"]

_FILE_FORMATS = frozenset({"binary", "base64"})


def _resolved(schema: Any, root: Mapping[str, Any]) -> Any:
    # The compiler moves shared schemas to `$defs`; one local hop is all a body needs here.
    if isinstance(schema, Mapping):
        ref = schema.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/$defs/"):
            definitions = root.get("$defs")
            if isinstance(definitions, Mapping):
                return definitions.get(ref.removeprefix("#/$defs/"), schema)
    return schema


def _is_file(schema: Any, root: Mapping[str, Any]) -> bool:
    schema = _resolved(schema, root)
    if not isinstance(schema, Mapping):
        return False
    if schema.get("format") in _FILE_FORMATS or "contentEncoding" in schema:
        return True
    if schema.get("type") == "array":
        return _is_file(schema.get("items"), root)
    return False


def binary_body_fields(input_schema: Mapping[str, Any], body_name: str = "body") -> frozenset[str]:
    """Names of the body's properties that hold file content (alone or in an array)."""
    properties = input_schema.get("properties")
    body = _resolved(
        properties.get(body_name) if isinstance(properties, Mapping) else None, input_schema
    )
    fields = body.get("properties") if isinstance(body, Mapping) else None
    if not isinstance(fields, Mapping):
        return frozenset()
    return frozenset(str(name) for name, field in fields.items() if _is_file(field, input_schema))

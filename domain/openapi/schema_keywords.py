"""The JSON Schema 2020-12 keywords the converter keeps, grouped by the shape of their value."""

from __future__ import annotations

__all__ = [
    "ANNOTATION_TEXT",
    "FLAGS",
    "JSON_TYPES",
    "NON_NEGATIVE",
    "NUMBERS",
    "SUBSCHEMA",
    "SUBSCHEMA_LIST",
    "SUBSCHEMA_MAP",
]

JSON_TYPES = frozenset({"null", "boolean", "object", "array", "number", "string", "integer"})
# Keywords whose value is one schema.
SUBSCHEMA = frozenset({
    "not", "if", "then", "else", "contains", "propertyNames",
    "unevaluatedItems", "unevaluatedProperties", "contentSchema",
})
# Keywords whose value is a non-empty array of schemas.
SUBSCHEMA_LIST = frozenset({"allOf", "anyOf", "oneOf", "prefixItems"})
# Keywords whose value is an object of schemas.
SUBSCHEMA_MAP = frozenset({"properties", "patternProperties", "dependentSchemas"})
NUMBERS = frozenset({"maximum", "minimum"})
NON_NEGATIVE = frozenset({
    "maxLength", "minLength", "maxItems", "minItems", "maxContains", "minContains",
    "maxProperties", "minProperties",
})
FLAGS = frozenset({"uniqueItems", "readOnly", "writeOnly", "deprecated"})
ANNOTATION_TEXT = frozenset({
    "pattern", "format", "title", "description", "contentEncoding", "contentMediaType",
    "$comment",
})

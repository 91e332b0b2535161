"""The JSON Schema 2020-12 keywords the converter keeps, by the shape of their value.

`KEYWORD_KIND` maps each kept keyword to one of the kinds below: the converter reads a node's
keywords with one dict lookup each (a keyword not in the table is dropped), which is much
faster than testing a chain of sets for the ~10 keywords of each of a document's schema nodes.
The OpenAPI keywords that are not kept but change the result (`example`, `nullable`, boolean
exclusive bounds...) are `MARK`ed: only a node with one of them, an `enum`, `required` or an
array type takes the slower checks after the loop.
"""

from __future__ import annotations

from typing import Final

__all__ = [
    "ADDITIONAL",
    "ANY",
    "COUNT",
    "DEPENDENT_REQUIRED",
    "FLAG",
    "ITEMS",
    "JSON_TYPES",
    "KEYWORD_KIND",
    "LIST",
    "MARK",
    "MULTIPLE",
    "NUMBER",
    "REQUIRED",
    "SUBSCHEMA",
    "SUBSCHEMA_LIST",
    "SUBSCHEMA_MAP",
    "TEXT",
    "TYPE",
]

JSON_TYPES: Final = frozenset({"null", "boolean", "object", "array", "number", "string", "integer"})

TEXT: Final = 0  # kept when a string
TYPE: Final = 1  # `type`: a JSON type or a list of them (`file` is Swagger 2.0's upload)
SUBSCHEMA_MAP: Final = 2  # an object of schemas
ITEMS: Final = 3  # `items`: one schema, or draft-4's tuple form (a list)
SUBSCHEMA: Final = 4  # one schema
SUBSCHEMA_LIST: Final = 5  # a non-empty array of schemas
ADDITIONAL: Final = 6  # `additionalProperties`: a boolean or a schema
FLAG: Final = 7  # kept when a boolean
COUNT: Final = 8  # kept when a non-negative integer (an integral float becomes an int)
NUMBER: Final = 9  # kept when a number
MULTIPLE: Final = 10  # `multipleOf`: kept when a positive number
LIST: Final = 11  # `enum`, `examples`: kept when a list (an `examples` object gives its values)
ANY: Final = 12  # `const`, `default`: kept as they are
REQUIRED: Final = 13  # `required`: the distinct strings
DEPENDENT_REQUIRED: Final = 14  # `dependentRequired`: an object of lists of strings
MARK: Final = 15  # not kept as such, read after the loop (`example`, `nullable`, exclusive bounds)

KEYWORD_KIND: Final[dict[str, int]] = {
    **dict.fromkeys(
        (
            "pattern",
            "format",
            "title",
            "description",
            "contentEncoding",
            "contentMediaType",
            "$comment",
        ),
        TEXT,
    ),
    "type": TYPE,
    **dict.fromkeys(("properties", "patternProperties", "dependentSchemas"), SUBSCHEMA_MAP),
    "items": ITEMS,
    **dict.fromkeys(
        (
            "not",
            "if",
            "then",
            "else",
            "contains",
            "propertyNames",
            "unevaluatedItems",
            "unevaluatedProperties",
            "contentSchema",
        ),
        SUBSCHEMA,
    ),
    **dict.fromkeys(("allOf", "anyOf", "oneOf", "prefixItems"), SUBSCHEMA_LIST),
    "additionalProperties": ADDITIONAL,
    **dict.fromkeys(("uniqueItems", "readOnly", "writeOnly", "deprecated"), FLAG),
    **dict.fromkeys(
        (
            "maxLength",
            "minLength",
            "maxItems",
            "minItems",
            "maxContains",
            "minContains",
            "maxProperties",
            "minProperties",
        ),
        COUNT,
    ),
    **dict.fromkeys(("maximum", "minimum"), NUMBER),
    "multipleOf": MULTIPLE,
    **dict.fromkeys(("enum", "examples"), LIST),
    **dict.fromkeys(("const", "default"), ANY),
    "required": REQUIRED,
    "dependentRequired": DEPENDENT_REQUIRED,
    **dict.fromkeys(
        ("example", "exclusiveMinimum", "exclusiveMaximum", "nullable", "x-nullable"), MARK
    ),
}
# Anything else (discriminator, xml, externalDocs, x-*, $id, definitions...) is OpenAPI-only
# or would break self-containment: dropped. `$ref` is handled before the loop.

"""Checks on compiled schemas that scale to huge documents: shared `$defs` bodies checked once."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import jsonschema_rs

_ONE = (
    "not",
    "if",
    "then",
    "else",
    "items",
    "contains",
    "additionalProperties",
    "propertyNames",
    "unevaluatedItems",
    "unevaluatedProperties",
    "contentSchema",
)
_LIST = ("allOf", "anyOf", "oneOf", "prefixItems")
_MAP = ("properties", "patternProperties", "dependentSchemas")


def refs_in(schema: Any) -> Iterator[str]:
    """Every `$ref` in schema positions (not inside `enum`, `examples`, `default`...)."""
    if not isinstance(schema, dict):
        return
    if isinstance(schema.get("$ref"), str):
        yield schema["$ref"]
    for key in _ONE:
        if key in schema:
            yield from refs_in(schema[key])
    for key in _LIST:
        for sub in schema.get(key, ()):
            yield from refs_in(sub)
    for key in _MAP:
        for sub in schema.get(key, {}).values():
            yield from refs_in(sub)


class SchemaAuditor:
    """Validates schemas against the 2020-12 meta-schema and finds dangling `$ref`s."""

    def __init__(self) -> None:
        self._bodies: dict[int, tuple[bool, frozenset[str]]] = {}
        self._keep: list[Any] = []  # keep checked bodies alive so their ids stay unique

    def _check(self, schema: Any) -> tuple[bool, frozenset[str]]:
        key = id(schema)
        if key not in self._bodies:
            self._keep.append(schema)
            valid = (
                jsonschema_rs.meta.is_valid(schema)
                if isinstance(schema, dict)
                else (isinstance(schema, bool))
            )
            self._bodies[key] = (valid, frozenset(refs_in(schema)))
        return self._bodies[key]

    def problems(self, schema: dict[str, Any]) -> list[str]:
        """What is wrong with one tool schema (empty when it is fine)."""
        found = []
        defs = schema.get("$defs", {})
        shell = {k: v for k, v in schema.items() if k != "$defs"}
        valid, refs = self._check(shell)
        if not valid:
            found.append(f"invalid schema: {jsonschema_rs.meta.validate(shell)}")
        wanted = set(refs)
        for name, body in defs.items():
            ok, body_refs = self._check(body)
            if not ok:
                found.append(f"invalid $defs/{name}")
            wanted |= body_refs
        for ref in wanted:
            if not ref.startswith("#/$defs/") or ref.removeprefix("#/$defs/") not in defs:
                found.append(f"dangling $ref {ref}")
        return found

"""OpenAPI Schema Objects (Swagger 2.0, OpenAPI 3.0 and 3.1) to self-contained JSON Schema 2020-12.

Every `$ref` becomes `{"$ref": "#/$defs/<name>"}`; each referenced schema is converted once per
direction (input or output) and memoised, and a tool's `$defs` holds exactly what it reaches, so
recursive schemas stay lossless and huge documents are not copied per tool.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from typing import Any, Literal

from domain.openapi.pointers import Where, pointer_text
from domain.openapi.refs import RefResolver, decode_pointer
from domain.openapi.schema_keywords import (
    ADDITIONAL,
    ANY,
    COUNT,
    DEPENDENT_REQUIRED,
    FLAG,
    ITEMS,
    JSON_TYPES,
    KEYWORD_KIND,
    LIST,
    MULTIPLE,
    NUMBER,
    REQUIRED,
    SUBSCHEMA,
    SUBSCHEMA_LIST,
    SUBSCHEMA_MAP,
    TEXT,
    TYPE,
)
from domain.openapi.warnings import CompileWarning

__all__ = ["Direction", "SchemaConverter"]

Direction = Literal["input", "output"]
MAX_DEPTH = 96
_NAME_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]+")


class SchemaConverter:
    """Converts schemas of one document; shares memoised `$defs` bodies across tools."""

    def __init__(self, resolver: RefResolver, warnings: list[CompileWarning]) -> None:
        self._resolver = resolver
        self._warnings = warnings
        self._names: dict[str, str] = {}
        self._keys: dict[str, str] = {}
        self._bodies: dict[tuple[str, Direction], tuple[Any, tuple[str, ...]]] = {}
        self._where: dict[str, Where] = {}
        # Keyed by id(): the value also holds the schema itself, so no id is ever reused.
        self._converted: dict[tuple[int, str, Direction], tuple[Any, tuple[str, ...], Any]] = {}
        self._closures: dict[tuple[Direction, tuple[str, ...]], dict[str, Any]] = {}
        # Most `$defs` bodies are the same in both directions (no readOnly/writeOnly property
        # inside): converted for one, they wait here for the other. `_sided` records, during
        # one body's conversion, that a property is readOnly or writeOnly.
        self._twins: dict[str, tuple[tuple[Any, tuple[str, ...]], tuple[CompileWarning, ...]]] = {}
        self._sided = False
        # Every key on a walked chain of pure `$ref`s shares the chain's answer: a long chain
        # is walked once, not once per link (5,000 links: 21 s before, milliseconds now).
        self._pure_cycles: dict[str, bool] = {}

    def convert(
        self, schema: Any, base: str, direction: Direction, pointer: Where, deps: list[str]
    ) -> Any:
        """Convert one schema; the keys of the `$ref`s it makes are appended to `deps`.

        Shared schema objects (a parameter or response used by many operations) are converted
        once; the caller gets its own top-level copy, the nested parts are shared (read-only).
        """
        memo_key = (id(schema), base, direction)
        memo = self._converted.get(memo_key)
        if memo is None:
            local: list[str] = []
            converted = self._convert(schema, base, direction, pointer, local, 0)
            memo = (converted, tuple(local), schema)
            self._converted[memo_key] = memo
        deps.extend(memo[1])
        return dict(memo[0]) if isinstance(memo[0], dict) else memo[0]

    def defs(self, deps: list[str], direction: Direction) -> dict[str, Any]:
        """The `$defs` reached from `deps` (transitively), in a deterministic order.

        Tools reaching the same schemas share one (read-only) `$defs` object.
        """
        start = tuple(dict.fromkeys(deps))
        cached = self._closures.get((direction, start))
        if cached is None:
            cached = self._closure(start, direction)
            self._closures[(direction, start)] = cached
        return cached

    def _closure(self, deps: tuple[str, ...], direction: Direction) -> dict[str, Any]:
        found: dict[str, Any] = {}
        seen: set[str] = set()
        queue = list(deps)
        index = 0
        while index < len(queue):
            key = queue[index]
            index += 1
            if key in seen:
                continue
            seen.add(key)
            body, more = self._body(key, direction)
            found[self._names[key]] = body
            queue.extend(more)  # keys already seen are skipped when popped: same order
        return found

    def is_flagged(self, schema: Any, flag: str) -> bool:
        """True when a converted schema, or the `$defs` body it points to, sets `flag`."""
        if not isinstance(schema, dict):
            return False
        if schema.get(flag) is True:
            return True
        ref = schema.get("$ref")
        if isinstance(ref, str) and len(schema) <= 2:
            key = self._key_of_name(ref)
            if key is not None:
                found = self._resolver.resolve_key(key)
                return (
                    found is not None
                    and isinstance(found.node, Mapping)
                    and (found.node.get(flag) is True)
                )
        return False

    def target_type(self, schema: Any, direction: Direction) -> Any:
        """The `type` of the `$defs` body a converted pure-`$ref` schema points to."""
        if not isinstance(schema, dict) or "type" in schema:
            return None
        ref = schema.get("$ref")
        key = self._key_of_name(ref) if isinstance(ref, str) else None
        if key is None:
            return None
        body = self._body(key, direction)[0]
        return body.get("type") if isinstance(body, dict) else None

    # -- references --------------------------------------------------------------------------

    def _name(self, key: str) -> str:
        name = self._names.get(key)
        if name is not None:
            return name
        document, _, fragment = key.partition("#")
        tokens = decode_pointer(fragment)
        raw = tokens[-1] if tokens else document.rsplit("/", 1)[-1].rsplit(".", 1)[0]
        name = _NAME_UNSAFE.sub("_", raw).strip("_") or "schema"
        if name in self._keys:
            name = f"{name}_{hashlib.blake2b(key.encode(), digest_size=4).hexdigest()}"
        self._names[key] = name
        self._keys[name] = key
        return name

    def _key_of_name(self, ref: str) -> str | None:
        return self._keys.get(ref.removeprefix("#/$defs/"))

    def _body(self, key: str, direction: Direction) -> tuple[Any, tuple[str, ...]]:
        memo = self._bodies.get((key, direction))
        if memo is not None:
            return memo
        twin = self._twins.pop(key, None)
        if twin is not None:
            # Converted for the other direction and no readOnly/writeOnly property made a
            # difference: the same body, and the warnings its conversion gave, once more.
            memo, given = twin
            self._warnings.extend(given)
            self._bodies[(key, direction)] = memo
            return memo
        found = self._resolver.resolve_key(key)
        where = self._where.get(key, "")
        deps: list[str] = []
        neutral = False
        if found is None:
            self._warn(
                "unresolved_ref", f"$ref {key!r} cannot be resolved; any value accepted", where
            )
            body: Any = {}
        elif self._is_pure_ref_cycle(key):
            self._warn(
                "circular_ref", f"$ref {key!r} only refers to itself; any value accepted", where
            )
            body = {}
        else:
            start = len(self._warnings)
            self._sided = False
            body = self._convert(found.node, found.base, direction, where, deps, 0)
            neutral = not self._sided
        memo = (body, tuple(dict.fromkeys(deps)))
        self._bodies[(key, direction)] = memo
        if neutral:
            self._twins[key] = (memo, tuple(self._warnings[start:]))
        return memo

    def _is_pure_ref_cycle(self, key: str) -> bool:
        path = [key]
        seen = {key}
        answer = False
        found = self._resolver.resolve_key(key)
        while found is not None and isinstance(found.node, Mapping):
            ref = found.node.get("$ref")
            if not isinstance(ref, str) or any(k != "$ref" for k in found.node if k[:2] != "x-"):
                break
            nxt = self._resolver.key(ref, found.base)
            known = self._pure_cycles.get(nxt)
            if nxt in seen or known is not None:
                answer = True if nxt in seen else bool(known)
                break
            seen.add(nxt)
            path.append(nxt)
            found = self._resolver.resolve_key(nxt)
        for walked in path:
            self._pure_cycles[walked] = answer
        return answer

    # -- conversion --------------------------------------------------------------------------

    def _warn(self, code: str, message: str, where: Where) -> None:
        self._warnings.append(
            CompileWarning(code=code, message=message, pointer=pointer_text(where))
        )

    def _convert(
        self,
        node: Any,
        base: str,
        direction: Direction,
        where: Where,
        deps: list[str],
        depth: int,
    ) -> Any:
        # The hot loop of the compiler (every schema node of a document passes here once per
        # direction): plain-dict fast paths first, one table lookup per keyword.
        if node is True or node is False:
            return node
        if type(node) is not dict and not isinstance(node, Mapping):
            self._warn("invalid_schema", "a schema must be an object; any value accepted", where)
            return {}
        if depth > MAX_DEPTH:
            self._warn("schema_too_deep", "schema nested too deeply; any value accepted", where)
            return {}
        out: dict[str, Any] = {}
        ref = node.get("$ref")
        if isinstance(ref, str):
            key = self._resolver.key(ref, base)
            if key not in self._where:
                self._where[key] = where
            deps.append(key)
            out["$ref"] = "#/$defs/" + self._name(key)
        kinds = KEYWORD_KIND
        sub = depth + 1
        for keyword, value in node.items():
            kind = kinds.get(keyword)  # None for `$ref`, unknown and non-text keys
            if kind is None:
                continue
            if kind == TEXT:
                if isinstance(value, str):
                    out[keyword] = value
            elif kind == TYPE:
                if isinstance(value, str) and value in JSON_TYPES:
                    out["type"] = value
                else:
                    _type(out, value)
            elif kind == SUBSCHEMA_MAP:
                if isinstance(value, Mapping):
                    out[keyword] = self._properties(
                        keyword, value, base, direction, (where, keyword), deps, sub
                    )
            elif kind == ITEMS:
                self._items(out, value, node, base, direction, (where, keyword), deps, sub)
            elif kind == SUBSCHEMA:
                out[keyword] = self._convert(value, base, direction, (where, keyword), deps, sub)
            elif kind == SUBSCHEMA_LIST:
                if isinstance(value, list) and value:
                    here = (where, keyword)
                    out[keyword] = [
                        self._convert(v, base, direction, (here, i), deps, sub)
                        for i, v in enumerate(value)
                    ]
            elif kind == ADDITIONAL:
                if isinstance(value, bool):
                    out[keyword] = value
                elif isinstance(value, Mapping):
                    out[keyword] = self._convert(
                        value, base, direction, (where, keyword), deps, sub
                    )
            elif kind == FLAG:
                if isinstance(value, bool):
                    out[keyword] = value
            else:
                _scalar_keyword(out, kind, keyword, value)
        if "example" in node and "examples" not in out:
            out["examples"] = [node["example"]]
        if "exclusiveMinimum" in node or "exclusiveMaximum" in node:
            _fix_bounds(out, node)
        if "enum" in out:
            _coerce_enum(out)
        if "required" in out and "properties" in out:
            _drop_hidden_required(out, node)
        kind_of = out.get("type")
        if (kind_of == "array" or (type(kind_of) is list and "array" in kind_of)) and not (
            "items" in out or "prefixItems" in out
        ):
            out["items"] = {}  # some clients refuse an array without items; {} is the same
        if node.get("nullable") is True or node.get("x-nullable") is True:
            out = _nullable(out)
        return out

    def _items(
        self,
        out: dict[str, Any],
        value: Any,
        node: Mapping[str, Any],
        base: str,
        direction: Direction,
        here: Where,
        deps: list[str],
        sub: int,
    ) -> None:
        if not isinstance(value, list):
            out["items"] = self._convert(value, base, direction, here, deps, sub)
            return
        if value:  # draft-4 tuple form
            out["prefixItems"] = [
                self._convert(v, base, direction, (here, i), deps, sub) for i, v in enumerate(value)
            ]
        extra = node.get("additionalItems")
        if isinstance(extra, Mapping | bool):
            out["items"] = self._convert(extra, base, direction, here, deps, sub)

    def _properties(
        self,
        keyword: str,
        value: Mapping[str, Any],
        base: str,
        direction: Direction,
        where: Where,
        deps: list[str],
        depth: int,
    ) -> dict[str, Any]:
        hidden, shown = (
            ("readOnly", "writeOnly") if direction == "input" else ("writeOnly", "readOnly")
        )
        keep_all = keyword != "properties"  # patternProperties, dependentSchemas
        result: dict[str, Any] = {}
        for name, sub in value.items():
            text = name if type(name) is str else str(name)
            if keep_all:
                result[text] = self._convert(sub, base, direction, (where, text), deps, depth)
                continue
            local: list[str] = []
            converted = self._convert(sub, base, direction, (where, text), local, depth)
            if self.is_flagged(converted, hidden):
                self._sided = True
                continue  # readOnly fields are not inputs; writeOnly fields are not outputs
            if not self._sided and self.is_flagged(converted, shown):
                self._sided = True  # the other direction would drop it
            deps.extend(local)
            result[text] = converted
        return result


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _scalar_keyword(out: dict[str, Any], kind: int, keyword: str, value: Any) -> None:
    if kind == COUNT:
        if _is_number(value) and value >= 0 and float(value).is_integer():
            out[keyword] = int(value)
    elif kind == NUMBER:
        if _is_number(value):
            out[keyword] = value
    elif kind == MULTIPLE:
        if _is_number(value) and value > 0:
            out[keyword] = value
    elif kind == LIST:
        if isinstance(value, list):
            out[keyword] = value
        elif keyword == "examples" and isinstance(value, Mapping):
            out[keyword] = list(value.values())
    elif kind == ANY:
        out[keyword] = value
    elif kind == REQUIRED:
        if isinstance(value, list):
            out[keyword] = list(dict.fromkeys(v for v in value if isinstance(v, str)))
    elif kind == DEPENDENT_REQUIRED and isinstance(value, Mapping):
        out[keyword] = {
            str(k): list(dict.fromkeys(x for x in v if isinstance(x, str)))
            for k, v in value.items()
            if isinstance(v, list)
        }


def _type(out: dict[str, Any], value: Any) -> None:
    if value == "file":  # Swagger 2.0 upload
        out["type"] = "string"
        out.setdefault("format", "binary")
    elif isinstance(value, str) and value in JSON_TYPES:
        out["type"] = value
    elif isinstance(value, list):
        kept = list(dict.fromkeys(v for v in value if isinstance(v, str) and v in JSON_TYPES))
        if kept:
            out["type"] = kept if len(kept) > 1 else kept[0]


def _fix_bounds(out: dict[str, Any], node: Mapping[str, Any]) -> None:
    # OpenAPI 3.0 / Swagger: exclusiveMinimum is a flag on minimum; 2020-12: it is the bound.
    for flag, bound in (("exclusiveMinimum", "minimum"), ("exclusiveMaximum", "maximum")):
        value = node.get(flag)
        if value is True and bound in out:
            out[flag] = out.pop(bound)
        elif _is_number(value):
            out[flag] = value


def _coerce_enum(out: dict[str, Any]) -> None:
    # YAML reads `enum: [1.0]` for a string field as a number; a number field's enum may be text.
    values = out.get("enum")
    kind = out.get("type")
    if not isinstance(values, list) or not isinstance(kind, str):
        return
    if kind == "string" and any(_is_number(v) for v in values):
        out["enum"] = [str(v) if _is_number(v) else v for v in values]
    elif kind in ("number", "integer") and any(isinstance(v, str) for v in values):
        out["enum"] = [_as_number(v) for v in values]


def _as_number(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    try:
        number = float(value)
    except ValueError:
        return value
    return int(number) if number.is_integer() and "." not in value else number


def _drop_hidden_required(out: dict[str, Any], node: Mapping[str, Any]) -> None:
    kept, declared, required = out.get("properties"), node.get("properties"), out.get("required")
    if (
        isinstance(kept, dict)
        and isinstance(declared, Mapping)
        and isinstance(required, list)
        and len(kept) != len(declared)
    ):
        removed = {str(n) for n in declared} - kept.keys()
        out["required"] = [n for n in required if n not in removed]


def _nullable(out: dict[str, Any]) -> dict[str, Any]:
    kind = out.get("type")
    if isinstance(kind, str):
        out["type"] = [kind, "null"] if kind != "null" else "null"
    elif isinstance(kind, list):
        if "null" not in kind:
            out["type"] = [*kind, "null"]
    elif out:
        return {"anyOf": [out, {"type": "null"}]}
    else:
        return out
    enum = out.get("enum")
    if isinstance(enum, list) and None not in enum:
        out["enum"] = [*enum, None]
    return out

"""OpenAPI Schema Objects (Swagger 2.0, OpenAPI 3.0 and 3.1) to self-contained JSON Schema 2020-12.

Every `$ref` becomes `{"$ref": "#/$defs/<name>"}`; each referenced schema is converted once per
direction (input or output) and memoised, and a tool's `$defs` holds exactly what it reaches, so
recursive schemas stay lossless and huge documents are not copied per tool.

Speed: this is the compiler's hot loop (every schema node of a document). The most common
nodes (plain leaves, a `$ref` with a description) take inline fast paths; a body with no
readOnly/writeOnly property is converted once for both directions, and a `$defs` set that
reaches only such bodies serves both directions. Results are shared read-only objects.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from typing import Any, Final, Literal

from domain.openapi.content_keys import content_key
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
    MARK,
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
MAX_DEPTH: Final = 96
_NAME_UNSAFE: Final = re.compile(r"[^A-Za-z0-9_.-]+")
_NAME_UNSAFE_CHARACTER: Final = re.compile(r"[^A-Za-z0-9_.-]")  # no `+`: a failed search is faster
_TEXT_KEYWORDS: Final = frozenset(k for k, kind in KEYWORD_KIND.items() if kind == TEXT)
_LEAF_KEYWORDS: Final = _TEXT_KEYWORDS | {"type"}
_LEAF_TYPES: Final = JSON_TYPES - {"array"}


class SchemaConverter:
    """Converts schemas of one document; shares memoised `$defs` bodies across tools."""

    def __init__(self, resolver: RefResolver, warnings: list[CompileWarning]) -> None:
        self._resolver = resolver
        self._warnings = warnings
        self._names: dict[str, str] = {}
        self._keys: dict[str, str] = {}
        # ref text -> (key, converted `$ref` text), per document the ref is written in: a
        # document writes the same few hundred refs thousands of times.
        self._refs: dict[str, dict[str, tuple[str, str]]] = {}
        # The readOnly and writeOnly flags of the schema a key points to.
        self._ref_flags: dict[str, tuple[bool, bool]] = {}
        self._bodies: dict[Direction, dict[str, tuple[Any, tuple[str, ...]]]] = {
            "input": {},
            "output": {},
        }
        self._where: dict[str, Where] = {}
        # Keyed by id(): the value also holds the schema itself, so no id is ever reused.
        self._converted: dict[tuple[int, str, Direction], tuple[Any, tuple[str, ...], Any]] = {}
        self._by_content: dict[tuple[bytes, str, Direction], tuple[Any, tuple[str, ...], Any]] = {}
        self._closures: dict[Direction, dict[tuple[str, ...], dict[str, Any]]] = {
            "input": {},
            "output": {},
        }
        # Most `$defs` bodies are the same in both directions (no readOnly/writeOnly property
        # inside): converted for one, they wait here for the other. `_sided` records, during
        # one body's conversion, that a property is readOnly or writeOnly.
        self._twins: dict[str, tuple[tuple[Any, tuple[str, ...]], tuple[CompileWarning, ...]]] = {}
        self._sided = False
        # Keys whose body is the same in both directions and gave no warning, and the `$defs`
        # (by start) reaching only such bodies: the same for both directions.
        self._clean: set[str] = set()
        self._either: dict[tuple[str, ...], dict[str, Any]] = {}
        # Every key on a walked chain of pure `$ref`s shares the chain's answer: a long chain
        # is walked once, not once per link (5,000 links: 21 s before, milliseconds now).
        self._pure_cycles: dict[str, bool] = {}

    def convert(
        self,
        schema: Any,
        base: str,
        direction: Direction,
        pointer: Where,
        deps: list[str],
        *,
        by_content: bool = False,
    ) -> Any:
        """Convert one schema; the keys of the `$ref`s it makes are appended to `deps`.

        Shared schema objects (a parameter or response used by many operations) are converted
        once; the caller gets its own top-level copy, the nested parts are shared (read-only).
        `by_content`: equal schemas (see `content_key`) are converted once too; for the small
        schemas documents repeat (EC2: 2,200 parameter schemas, 960 distinct).
        """
        memo_key = (id(schema), base, direction)
        memo = self._converted.get(memo_key)
        if memo is None:
            memo = self._convert_new(schema, base, direction, pointer, by_content)
            self._converted[memo_key] = memo
        deps.extend(memo[1])
        return dict(memo[0]) if isinstance(memo[0], dict) else memo[0]

    def _convert_new(
        self, schema: Any, base: str, direction: Direction, pointer: Where, by_content: bool
    ) -> tuple[Any, tuple[str, ...], Any]:
        key = None
        if by_content:
            content = content_key(schema)
            if content is not None:  # else converted as itself
                key = (content, base, direction)
                known = self._by_content.get(key)
                if known is not None:
                    return (known[0], known[1], schema)
        start = len(self._warnings)
        local: list[str] = []
        converted = self._convert(schema, base, direction, pointer, local, 0)
        memo = (converted, tuple(local), schema)
        if key is not None and len(self._warnings) == start:
            # Equal schemas give an equal result and, giving no warning here, none elsewhere.
            self._by_content[key] = memo
        return memo

    def defs(self, deps: list[str], direction: Direction) -> dict[str, Any]:
        """The `$defs` reached from `deps` (transitively), in a deterministic order.

        Tools reaching the same schemas share one (read-only) `$defs` object.
        """
        start = tuple(dict.fromkeys(deps)) if len(deps) > 1 else tuple(deps)
        closures = self._closures[direction]
        cached = closures.get(start)
        if cached is None:
            cached = self._either.get(start)
            if cached is None:
                cached = self._closure(start, direction)
            closures[start] = cached
        return cached

    def _closure(self, deps: tuple[str, ...], direction: Direction) -> dict[str, Any]:
        # Breadth-first from `deps`; a name stands for its key (one name per key).
        found: dict[str, Any] = {}
        queue = list(deps)
        self._bfs(queue, found, direction)
        if self._clean.issuperset(queue):
            # Every body reached is the same in both directions and gave no warning: the
            # other direction would walk the same bodies and find the same `$defs`.
            self._either[deps] = found
        return found

    def _bfs(self, queue: list[str], found: dict[str, Any], direction: Direction) -> None:
        bodies = self._bodies[direction]
        names = self._names
        for key in queue:  # the loop also visits what is appended to the queue
            name = names[key]
            if name in found:
                continue
            memo = bodies.get(key)
            if memo is None:
                memo = self._body(key, direction)
            found[name] = memo[0]
            queue.extend(memo[1])  # keys already seen are skipped when met: same order

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

    def _ref(self, ref: str, base: str) -> tuple[str, str]:
        """The key of `ref` written in `base`, and the converted `$ref` text (memoised)."""
        refs = self._refs.get(base)
        if refs is None:
            refs = self._refs[base] = {}
        known = refs.get(ref)
        if known is None:
            key = base + ref if ref[:1] == "#" else self._resolver.key(ref, base)
            known = refs[ref] = (key, "#/$defs/" + self._name(key))
        return known

    def _name(self, key: str) -> str:
        name = self._names.get(key)
        if name is not None:
            return name
        document, _, fragment = key.partition("#")
        if fragment and "~" not in fragment and "%" not in fragment:
            raw = fragment.rsplit("/", 1)[-1]  # the last token, with nothing to decode
        else:
            tokens = decode_pointer(fragment)
            raw = tokens[-1] if tokens else document.rsplit("/", 1)[-1].rsplit(".", 1)[0]
        if (raw.isascii() and raw.replace(".", "").isalnum()) or (
            _NAME_UNSAFE_CHARACTER.search(raw) is None
        ):
            # Nothing to replace (most names; letters, digits and dots are tested without
            # the regex).
            name = raw.strip("_") or "schema"
        else:
            name = _NAME_UNSAFE.sub("_", raw).strip("_") or "schema"
        if name in self._keys:
            name = f"{name}_{hashlib.blake2b(key.encode(), digest_size=4).hexdigest()}"
        self._names[key] = name
        self._keys[name] = key
        return name

    def _key_of_name(self, ref: str) -> str | None:
        return self._keys.get(ref.removeprefix("#/$defs/"))

    def _target_flags(self, key: str | None) -> tuple[bool, bool]:
        """readOnly and writeOnly of the (raw) schema `key` points to (memoised)."""
        flags = self._ref_flags.get(key) if key is not None else None
        if flags is None:
            found = self._resolver.resolve_key(key) if key is not None else None
            node = found.node if found is not None else None
            if type(node) is dict or isinstance(node, Mapping):
                flags = (node.get("readOnly") is True, node.get("writeOnly") is True)
            else:
                flags = (False, False)
            if key is not None:
                self._ref_flags[key] = flags
        return flags

    def _body(self, key: str, direction: Direction) -> tuple[Any, tuple[str, ...]]:
        bodies = self._bodies[direction]
        memo = bodies.get(key)
        if memo is not None:
            return memo
        twin = self._twins.pop(key, None)
        if twin is not None:
            # Converted for the other direction and no readOnly/writeOnly property made a
            # difference: the same body, and the warnings its conversion gave, once more.
            memo, given = twin
            self._warnings.extend(given)
            bodies[key] = memo
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
        elif (
            type(found.node) is not dict or "$ref" in found.node  # most bodies: neither, no call
        ) and self._is_pure_ref_cycle(key):
            self._warn(
                "circular_ref", f"$ref {key!r} only refers to itself; any value accepted", where
            )
            body = {}
        else:
            start = len(self._warnings)
            self._sided = False
            body = self._convert(found.node, found.base, direction, where, deps, 0)
            neutral = not self._sided
        memo = (body, tuple(dict.fromkeys(deps)) if len(deps) > 1 else tuple(deps))
        bodies[key] = memo
        if neutral:
            given = tuple(self._warnings[start:]) if len(self._warnings) > start else ()
            self._twins[key] = (memo, given)
            if not given:
                self._clean.add(key)
        return memo

    def _is_pure_ref_cycle(self, key: str) -> bool:
        path = [key]
        seen = {key}
        answer = False
        found = self._resolver.resolve_key(key)
        while found is not None and (type(found.node) is dict or isinstance(found.node, Mapping)):
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
        # The hot loop of the compiler (every schema node of a document passes here once, or
        # once per direction): plain-dict fast paths first, one table lookup per keyword, and
        # the checks after the loop only for the nodes that need them (see `MARK`).
        if type(node) is not dict:
            if node is True or node is False:
                return node
            if not isinstance(node, Mapping):
                self._warn(
                    "invalid_schema", "a schema must be an object; any value accepted", where
                )
                return {}
        if depth > MAX_DEPTH:
            self._warn("schema_too_deep", "schema nested too deeply; any value accepted", where)
            return {}
        if type(node) is dict and _is_leaf(node):
            return dict(node)  # a plain leaf: see `_properties`
        out: dict[str, Any] = {}
        if "$ref" in node:
            ref = node["$ref"]
            if isinstance(ref, str):
                key, out["$ref"] = self._ref(ref, base)
                if key not in self._where:
                    self._where[key] = where
                deps.append(key)
        kinds = KEYWORD_KIND
        sub = depth + 1
        post = array = trim = False
        # A dict-typed view of the node: the mypyc build iterates it with dict primitives.
        fields: dict[Any, Any] = node if type(node) is dict else dict(node)
        for keyword, value in fields.items():
            kind = kinds.get(keyword)  # None for `$ref`, unknown and non-text keys
            if kind is None:
                continue
            if kind == TEXT:
                if isinstance(value, str):
                    out[keyword] = value
            elif kind == TYPE:
                if isinstance(value, str) and value in JSON_TYPES:
                    out["type"] = value
                    array = value == "array"
                else:
                    _type(out, value)
                    post = True
            elif kind == SUBSCHEMA_MAP:
                if type(value) is dict or isinstance(value, Mapping):
                    schemas = value if type(value) is dict else dict(value)
                    kept = out[keyword] = self._properties(
                        keyword, schemas, base, direction, (where, keyword), deps, sub
                    )
                    if len(kept) != len(value):
                        trim = True  # readOnly or writeOnly properties were dropped
            elif kind == ITEMS:
                if isinstance(value, list):
                    here = (where, keyword)
                    self._tuple_items(out, value, node, base, direction, here, deps, sub)
                else:
                    out["items"] = self._convert(
                        value, base, direction, (where, keyword), deps, sub
                    )
            elif kind == REQUIRED:
                if isinstance(value, list):
                    try:
                        "".join(value)  # only strings: all kept
                        out[keyword] = list(dict.fromkeys(value))
                    except TypeError:
                        out[keyword] = list(dict.fromkeys(v for v in value if isinstance(v, str)))
            elif kind == ADDITIONAL:
                if isinstance(value, bool):
                    out[keyword] = value
                elif type(value) is dict or isinstance(value, Mapping):
                    out[keyword] = self._convert(
                        value, base, direction, (where, keyword), deps, sub
                    )
            elif kind == MARK:
                post = True
            elif kind == FLAG:
                if isinstance(value, bool):
                    out[keyword] = value
            elif kind == SUBSCHEMA_LIST:
                if isinstance(value, list) and value:
                    here = (where, keyword)
                    out[keyword] = [
                        self._convert(v, base, direction, (here, i), deps, sub)
                        for i, v in enumerate(value)
                    ]
            elif kind == SUBSCHEMA:
                out[keyword] = self._convert(value, base, direction, (where, keyword), deps, sub)
            else:
                if kind == LIST:
                    post = True  # `enum`
                _scalar_keyword(out, kind, keyword, value)
        if post:
            return _finish(out, node)
        # Without a `MARK`ed keyword or an enum, two of `_finish`'s checks can still apply.
        if array and not ("items" in out or "prefixItems" in out):
            out["items"] = {}
        if trim and "required" in out:
            _drop_hidden_required(out, node)
        return out

    def _tuple_items(
        self,
        out: dict[str, Any],
        value: list[Any],
        node: Mapping[str, Any],
        base: str,
        direction: Direction,
        here: Where,
        deps: list[str],
        sub: int,
    ) -> None:
        # draft-4 tuple form
        if value:
            out["prefixItems"] = [
                self._convert(v, base, direction, (here, i), deps, sub) for i, v in enumerate(value)
            ]
        extra = node.get("additionalItems")
        if isinstance(extra, Mapping | bool):
            out["items"] = self._convert(extra, base, direction, here, deps, sub)

    def _properties(
        self,
        keyword: str,
        value: dict[Any, Any],
        base: str,
        direction: Direction,
        where: Where,
        deps: list[str],
        depth: int,
    ) -> dict[str, Any]:
        convert = self._convert
        result: dict[str, Any] = {}
        if keyword != "properties":  # patternProperties, dependentSchemas: all kept
            for name, sub in value.items():
                text = name if type(name) is str else str(name)
                result[text] = convert(sub, base, direction, (where, text), deps, depth)
            return result
        hidden, shown = (0, 1) if direction == "input" else (1, 0)  # readOnly, writeOnly
        shallow = depth <= MAX_DEPTH
        text_keywords = _TEXT_KEYWORDS
        refs = self._refs.get(base)
        if refs is None:
            refs = self._refs[base] = {}
        where_of = self._where
        ref_flags = self._ref_flags
        for name, sub in value.items():
            text = name if type(name) is str else str(name)
            if shallow and type(sub) is dict:
                # The two most common properties, inline: a plain leaf is converted as it
                # is (`{"type": "string", "description": ...}`), and a `$ref` with text
                # keywords keeps them after the converted `$ref`.
                if _is_leaf(sub):
                    result[text] = dict(sub)
                    continue
                if "$ref" in sub and type(sub["$ref"]) is str:
                    converted: Any = {"$ref": ""}  # first, as `_convert` puts it
                    for keyword, item in sub.items():
                        if keyword != "$ref":
                            if type(item) is not str or keyword not in text_keywords:
                                converted = None
                                break
                            converted[keyword] = item
                    if converted is not None:
                        ref = sub["$ref"]
                        known = refs.get(ref)
                        if known is None:
                            known = self._ref(ref, base)
                        key = known[0]
                        converted["$ref"] = known[1]
                        if key not in where_of:
                            where_of[key] = (where, text)
                        if len(converted) <= 2:
                            flags = ref_flags.get(key) or self._target_flags(key)
                            if flags[hidden]:
                                self._sided = True
                                continue  # its `$ref` is not a dependency then
                            if flags[shown]:
                                self._sided = True
                        deps.append(key)
                        result[text] = converted
                        continue
            mark = len(deps)
            converted = convert(sub, base, direction, (where, text), deps, depth)
            if type(converted) is dict and (
                "readOnly" in converted
                or "writeOnly" in converted
                or ("$ref" in converted and len(converted) <= 2)
            ):
                flags = (converted.get("readOnly") is True, converted.get("writeOnly") is True)
                written = converted.get("$ref")
                if written is not None and len(converted) <= 2 and isinstance(written, str):
                    target = self._target_flags(self._key_of_name(written))
                    flags = (flags[0] or target[0], flags[1] or target[1])
                if flags[hidden]:
                    # readOnly fields are not inputs; writeOnly fields are not outputs
                    self._sided = True
                    del deps[mark:]
                    continue
                if flags[shown]:
                    self._sided = True  # the other direction would drop it
            result[text] = converted
        return result


def _is_leaf(node: dict[Any, Any]) -> bool:
    """A plain leaf: only text keywords and `type`, all strings, and not an array type.

    One loop over the items, no set method call: cheaper in the mypyc build.
    """
    for keyword, value in node.items():
        if type(value) is not str or keyword not in _LEAF_KEYWORDS:
            return False
    kind = node.get("type")
    return kind is None or kind in _LEAF_TYPES


def _finish(out: dict[str, Any], node: Mapping[str, Any]) -> dict[str, Any]:
    """The checks after the keyword loop, for nodes with a `MARK`ed keyword, enum, required
    or an array type."""
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
    for value in values:
        if type(value) is not str:
            break
    else:
        if kind == "string":
            return  # only text: nothing to do (the common case)
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
        and (type(declared) is dict or isinstance(declared, Mapping))
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

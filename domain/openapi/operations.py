"""Walk `paths`: every operation of the document, normalised, or a warning saying why not."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from domain.openapi.content_keys import content_key
from domain.openapi.document import HTTP_METHODS
from domain.openapi.media_types import is_json_like
from domain.openapi.openapi3_bodies import body_from_v3, response_from_v3
from domain.openapi.operation_specs import BodySpec, OperationSpec, ParameterSpec, ResponseSpec
from domain.openapi.parameters import parameter_from_v3, problem_with_parameter
from domain.openapi.pointers import Where, pointer_text
from domain.openapi.refs import RefResolver
from domain.openapi.swagger2 import (
    body_from_v2,
    media_of_consumes,
    parameter_from_v2,
    response_from_v2,
)
from domain.openapi.warnings import CompileWarning

__all__ = ["OPERATION_SKIPPED", "collect_operations"]

OPERATION_SKIPPED: Final = "operation_skipped"
# One upper-case string per method, not one per operation.
_UPPER: Final = {method: method.upper() for method in HTTP_METHODS}


class _Parameter:
    """One distinct parameter of the document (by content and document), checked once.

    Big documents repeat the same parameters on many operations (Graph: 27,000 inline
    parameters, 1,400 distinct; Kubernetes and EC2: shared `$ref`s and the same inline ones on
    every operation), so everything about one is worked out once: the check and its warning,
    the merge key, and at its first use its ParameterSpec (which the tool builder then
    converts once). The spec keeps the pointer of that first use, which is where schema
    warnings point anyway.
    """

    __slots__ = ("base", "kept", "key", "location", "node", "problem", "spec", "warning")

    def __init__(self, node: Any, base: str, kept: Any, problem: tuple[str, str] | None) -> None:
        self.node = node  # held so that no id() in the collector's tables is reused
        self.base = base
        self.kept = kept
        self.problem = problem
        self.key = (str(kept["name"]), str(kept["in"])) if kept is not None else ("", "")
        self.location = kept.get("in") if kept is not None else None
        self.spec: ParameterSpec | None = None
        self.warning: CompileWarning | None = None


# One use of a parameter: its record, whether it is in the operation's own list (or the path
# item's) and its index there. Uses say nothing of which operation they are in, so the uses
# of equal lists (by content) are the same: computed once.
_Use = tuple[_Parameter, bool, int]
# What the parameters of an operation give: the specs, the uses of the Swagger 2.0 payload
# (`body` and `formData` parameters), and the specs as (path item's, operation's) when they
# are those two parts one after the other (else None); the operation's part is None when
# its list is not memoised (then it is only the rest of the specs).
_Parts = tuple[tuple[ParameterSpec, ...], tuple[ParameterSpec, ...] | None]
_Merged = tuple[tuple[ParameterSpec, ...], tuple[_Use, ...], _Parts | None]
# A parameter list: its merge keys, specs and payload uses, and the list itself (held).
_Part = tuple[
    set[tuple[str, str]] | frozenset[tuple[str, str]],
    tuple[ParameterSpec, ...],
    tuple[_Use, ...],
    list[_Use],
]
_NO_PART: Final[_Part] = (frozenset(), (), (), [])


class _Collector:
    def __init__(
        self,
        document: Mapping[str, Any],
        resolver: RefResolver,
        swagger: bool,
        warnings: list[CompileWarning],
    ) -> None:
        self.document = document
        self.resolver = resolver
        self.swagger = swagger
        self.warnings = warnings
        self.count = 0
        # Per document: id(node not plain JSON) and `$ref` text -> its record. The records
        # hold their nodes, so the ids stay unique while the collector lives.
        self._tables: dict[str, tuple[dict[int, _Parameter], dict[str, _Parameter]]] = {}
        self._interned: dict[tuple[bytes, str], _Parameter] = {}
        # Parameter lists by (content, document) -> their uses, and (path item's list, its
        # document, operation's list, its document) -> what they give. Only what gave no
        # warning is kept: a hit gives none either.
        self._lists: dict[tuple[bool, bytes, str], list[_Use]] = {}
        self._keyed = True
        self._hits = self._misses = 0
        self._merged: dict[tuple[bytes, str, bytes, str], _Merged] = {}
        self._parts: dict[int, _Part] = {}
        self._convert_parameter = parameter_from_v2 if swagger else parameter_from_v3
        self._consumes = _listed(document.get("consumes"))
        self._produces = _listed(document.get("produces"))
        self._consumed: dict[tuple[Any, ...], tuple[str | None, bool]] = {}
        self._produced: dict[tuple[Any, ...], bool] = {}
        self._body_specs: dict[tuple[_Parameter, tuple[str | None, bool]], BodySpec] = {}

    def warn(self, code: str, message: str, pointer: str) -> None:
        self.warnings.append(CompileWarning(code=code, message=message, pointer=pointer))

    def operations(self) -> list[OperationSpec]:
        found: list[OperationSpec] = []
        paths = self.document.get("paths")
        if not isinstance(paths, Mapping):
            return found
        root = self.resolver.base_uri
        for path, raw_item in paths.items():
            text = str(path)
            pointer = "/paths/" + text.replace("~", "~0").replace("/", "~1")
            if not isinstance(path, str) or not path.startswith("/"):
                if not (isinstance(path, str) and path.startswith("x-")):
                    self.warn("path_skipped", 'a path must start with "/"', pointer)
                continue
            item, base, problem = self.resolver.follow(raw_item, root)
            if problem is not None or (type(item) is not dict and not isinstance(item, Mapping)):
                self.warn("path_skipped", problem or "a path item must be an object", pointer)
                continue
            raw_shared = item.get("parameters")
            shared_content = content_key(raw_shared) if raw_shared is not None else b""
            shared = self._uses(raw_shared, shared_content, base, pointer, False)
            for method in HTTP_METHODS:
                if method in item:
                    self.count += 1
                    operation = self._operation(
                        path, method, item[method], base, pointer, shared, shared_content
                    )
                    if operation is not None:
                        found.append(operation)
        return found

    def _operation(
        self,
        path: str,
        method: str,
        raw: Any,
        base: str,
        item_pointer: str,
        shared: list[_Use],
        shared_content: bytes | None,
    ) -> OperationSpec | None:
        pointer: Where = (item_pointer, method)  # spelled out only when a warning needs it
        node: Any  # declared: inferred from the first branch it would be a dict (mypyc checks)
        if type(raw) is dict and "$ref" not in raw:
            node, op_base = raw, base  # not a reference: the common case
        else:
            node, op_base, problem = self.resolver.follow(raw, base)
            if problem is not None or not isinstance(node, Mapping):
                self.warn(
                    OPERATION_SKIPPED,
                    problem or "an operation must be an object",
                    pointer_text(pointer),
                )
                return None
        raw_own = node.get("parameters")
        if raw_own is None:
            own_content: bytes | None = b""
        elif self._keyed:
            own_content = content_key(raw_own)
        else:
            own_content = None
        merged = None
        memo_key = None
        if shared_content is not None and own_content is not None:
            memo_key = (shared_content, base, own_content, op_base)
            merged = self._merged.get(memo_key)
        if merged is None:
            start = len(self.warnings)
            merged = self._merge(shared, raw_own, own_content, op_base, item_pointer, pointer)
            if memo_key is not None and len(self.warnings) == start:
                self._merged[memo_key] = merged
        parameters, payload, parts = merged
        if not self.swagger:
            body = self._body_v3(node.get("requestBody"), op_base, pointer)
        elif payload:
            body = self._body_v2(payload, node, item_pointer, pointer)
        else:
            body = None
        response = self._response(node, op_base, pointer)
        if "callbacks" in node:
            callbacks = node["callbacks"]
            if isinstance(callbacks, Mapping) and callbacks:
                self.warn(
                    "callbacks_skipped",
                    "callbacks are not tools",
                    pointer_text((pointer, "callbacks")),
                )
        return OperationSpec(_UPPER[method], path, pointer, node, parameters, body, response, parts)

    def _merge(
        self,
        shared: list[_Use],
        raw_own: Any,
        own_content: bytes | None,
        base: str,
        item_pointer: str,
        pointer: Where,
    ) -> _Merged:
        own = self._uses(raw_own, own_content, base, pointer, True)
        head = self._part(shared) if shared else _NO_PART
        if head is not None:
            clash = False
            if head[0]:
                for use in own:
                    if use[0].key in head[0]:
                        clash = True  # replaces a path item's parameter: see below
                        break
            if not clash:
                # The path item's parameters, then the operation's own ones: each part is
                # the same for every list with the same content (EC2: the 7 signing headers
                # of every path item; Kubernetes: a hundred distinct lists on 1,100
                # operations), so the builder shares their properties too.
                if not own:
                    return head[1], head[2], (head[1], ())
                tail = self._part(own) if own_content is not None else None
                if tail is None:  # first met, gave warnings or not memoised (EC2: each its own)
                    parameters = list(head[1])
                    payload = list(head[2])
                    self._specs(own, parameters, payload, item_pointer, pointer)
                    if own_content is not None:
                        tail = self._part(own)
                    if tail is None:
                        return tuple(parameters), tuple(payload), (head[1], None)
                return head[1] + tail[1], head[2] + tail[2], (head[1], tail[1])
        if own:
            # An operation's parameter replaces the path item's one of the same name and place.
            by_key: dict[tuple[str, str], _Use] = {use[0].key: use for use in shared}
            for use in own:
                by_key[use[0].key] = use
            uses = list(by_key.values())
        else:
            uses = shared
        parameters = []
        payload = []
        self._specs(uses, parameters, payload, item_pointer, pointer)
        return tuple(parameters), tuple(payload), None

    def _specs(
        self,
        uses: list[_Use],
        parameters: list[ParameterSpec],
        payload: list[_Use],
        item_pointer: str,
        pointer: Where,
    ) -> None:
        """The specs of `uses` appended to `parameters` (made at a parameter's first use),
        and the payload (`body` and `formData`) uses to `payload`."""
        for use in uses:
            record = use[0]
            location = record.location
            if location == "body" or location == "formData":
                payload.append(use)
                continue
            spec = record.spec
            if spec is None:
                where = (((pointer if use[1] else item_pointer), "parameters"), use[2])
                spec, warning = self._convert_parameter(record.kept, record.base, where)
                record.spec, record.warning = spec, warning
                if warning is not None:
                    self.warnings.append(warning)
            elif record.warning is not None:
                warning = record.warning
                here = ((pointer if use[1] else item_pointer), "parameters")
                self.warn(warning.code, warning.message, pointer_text((here, use[2])))
            parameters.append(spec)

    def _part(self, uses: list[_Use]) -> _Part | None:
        """The merge keys, specs and payload uses of a parameter list, once all its
        parameters have a spec that gave no warning (else None: each use must be seen)."""
        known = self._parts.get(id(uses))
        if known is None:
            specs = []
            payload = []
            for use in uses:
                record = use[0]
                if record.location == "body" or record.location == "formData":
                    payload.append(use)
                elif record.spec is None or record.warning is not None:
                    return None
                else:
                    specs.append(record.spec)
            known = ({use[0].key for use in uses}, tuple(specs), tuple(payload), uses)
            self._parts[id(uses)] = known
        return known

    def _uses(
        self, raw: Any, content: bytes | None, base: str, pointer: Where, own: bool
    ) -> list[_Use]:
        """The uses of a parameter list (its checked parameters; one per name and place)."""
        if raw is None:
            return []
        key = (own, content, base) if content is not None else None
        uses = self._lists.get(key) if key is not None else None
        if own and key is not None:
            self._hits += uses is not None
            self._misses += uses is None
            if self._misses >= 64 and self._hits * 4 < self._misses:
                # This document's operations do not repeat their parameter lists (EC2:
                # each has its own inline `Action`): stop encoding them to look them up.
                self._keyed = False
        if uses is None:
            start = len(self.warnings)
            uses = self._raw_parameters(raw, base, pointer, own)
            if len({use[0].key for use in uses}) != len(uses):
                uses = list({use[0].key: use for use in uses}.values())
            if key is not None and len(self.warnings) == start:
                self._lists[key] = uses
        return uses

    def _raw_parameters(self, raw: Any, base: str, pointer: Where, own: bool) -> list[_Use]:
        here: Where = (pointer, "parameters")
        if not isinstance(raw, list):
            self.warn("parameter_skipped", "parameters must be a list", pointer_text(here))
            return []
        found: list[_Use] = []
        by_id, by_ref = self._table(base)
        for index, entry in enumerate(raw):
            record: _Parameter | None
            if type(entry) is dict:
                ref = entry.get("$ref")
                if ref is None:  # inline: recognised by content (each is met once)
                    record = self._record(entry, base, by_id)
                elif type(ref) is str:  # a reference: the same text gives the same record
                    record = by_ref.get(ref)
                    if record is None:
                        record = self._followed(entry, base, ref, by_ref)
                        if record is None:
                            self.warn(
                                "parameter_skipped",
                                self.resolver.follow(entry, base)[2] or "",
                                pointer_text((here, index)),
                            )
                            continue
                else:
                    record = self._record(entry, base, by_id)
            else:
                node, node_base, problem = self.resolver.follow(entry, base)
                if problem is not None:
                    self.warn("parameter_skipped", problem, pointer_text((here, index)))
                    continue
                record = self._record(node, node_base, self._table(node_base)[0])
            if record.problem is not None:
                self.warn(*record.problem, pointer_text((here, index)))
            if record.kept is not None:
                found.append((record, own, index))
        return found

    def _table(self, base: str) -> tuple[dict[int, _Parameter], dict[str, _Parameter]]:
        tables = self._tables.get(base)
        if tables is None:
            tables = self._tables[base] = ({}, {})
        return tables

    def _followed(
        self, entry: Any, base: str, ref: str, by_ref: dict[str, _Parameter]
    ) -> _Parameter | None:
        # The target of a `$ref` entry depends on its text and document only.
        node, node_base, problem = self.resolver.follow(entry, base)
        if problem is not None:
            return None
        record = self._record(node, node_base, self._table(node_base)[0])
        by_ref[ref] = record
        return record

    def _record(self, node: Any, base: str, table: dict[int, _Parameter]) -> _Parameter:
        # Parameters are recognised by content: equal ones share the first one's record.
        # Only a node that is not plain JSON is recognised by identity (`table`).
        content = content_key(node)
        if content is None:
            record = table.get(id(node))
            if record is None:
                kept, problem = self._check_parameter(node)
                record = table[id(node)] = _Parameter(node, base, kept, problem)
            return record
        record = self._interned.get((content, base))
        if record is None:
            kept, problem = self._check_parameter(node)
            record = self._interned[(content, base)] = _Parameter(node, base, kept, problem)
        return record

    def _check_parameter(
        self, node: Any
    ) -> tuple[Mapping[str, Any] | None, tuple[str, str] | None]:
        """The node to keep (None: skipped), and the (code, message) of a warning to give."""
        if self._is_v2_payload(node):
            return {**node, "name": str(node.get("name", "body"))}, None
        warning = problem_with_parameter(node, "")
        if warning is not None:
            return None, (warning.code, warning.message)
        return node, None

    def _is_v2_payload(self, node: Any) -> bool:
        # Swagger 2.0 body and formData parameters become the request body, not arguments.
        if not self.swagger or not isinstance(node, Mapping):
            return False
        location = node.get("in")
        return location == "body" or (location == "formData" and isinstance(node.get("name"), str))

    def _body_v2(
        self,
        payload: tuple[tuple[_Parameter, bool, int], ...],
        node: Mapping[str, Any],
        item_pointer: str,
        pointer: Where,
    ) -> BodySpec | None:
        consumes = node.get("consumes", self._consumes)
        media = self._media(consumes)
        if len(payload) == 1 and payload[0][0].location == "body":
            # One `body` parameter (the common case): its BodySpec is the same for every
            # operation with the same `consumes`; it keeps the pointer of the first one, where
            # its schema is converted (the converter memoises schemas by identity).
            record, own, index = payload[0]
            spec = self._body_specs.get((record, media))
            if spec is None:
                where = (((pointer if own else item_pointer), "parameters"), index)
                spec = body_from_v2((record.kept, record.base, where), [], media)
                if spec is not None:
                    self._body_specs[(record, media)] = spec
            return spec
        body_param = None
        form = []
        for record, own, index in payload:
            where = (((pointer if own else item_pointer), "parameters"), index)
            if record.location == "body":
                body_param = (record.kept, record.base, where)
            else:
                form.append((record.kept, record.base, where))
        return body_from_v2(body_param, form, media)

    def _media(self, consumes: Any) -> tuple[str | None, bool]:
        # Operations repeat the same few `consumes` lists.
        if not isinstance(consumes, list):
            consumes = []
        try:
            key = tuple(consumes)
            known = self._consumed.get(key)
        except TypeError:  # an unhashable entry
            return media_of_consumes(consumes)
        if known is None:
            known = self._consumed[key] = media_of_consumes(consumes)
        return known

    def _body_v3(self, raw: Any, base: str, pointer: Where) -> BodySpec | None:
        if raw is None:
            return None
        where: Where = (pointer, "requestBody")
        node, node_base, problem = self.resolver.follow(raw, base)
        if problem is not None or not isinstance(node, Mapping):
            self.warn(
                "body_skipped", problem or "a request body must be an object", pointer_text(where)
            )
            return None
        body = body_from_v3(node, node_base, where)
        if body is not None and body.as_text:
            self.warn(
                "body_as_text",
                f"{body.media_type} body is sent as a string",
                pointer_text(body.pointer),
            )
        return body

    def _response(self, node: Mapping[str, Any], base: str, pointer: Where) -> ResponseSpec | None:
        responses = node.get("responses")
        if type(responses) is not dict and not isinstance(responses, Mapping):
            return None
        where: Where = (pointer, "responses")
        if not self.swagger:
            return response_from_v3(responses, self.resolver.follow, base, where)
        produces = node.get("produces", self._produces)
        if produces and isinstance(produces, list) and produces[0] != "application/json":
            # Operations repeat the same few `produces` lists.
            try:
                key = tuple(produces)
                json_like = self._produced.get(key)
            except TypeError:  # an unhashable entry
                key, json_like = None, None
            if json_like is None:
                json_like = any(isinstance(m, str) and is_json_like(m) for m in produces)
                if key is not None:
                    self._produced[key] = json_like
            if not json_like:
                return None
        return response_from_v2(responses, self.resolver.follow, base, where)


def _listed(value: Any) -> list[object]:
    return list(value) if isinstance(value, list) else []


def collect_operations(
    document: Mapping[str, Any],
    resolver: RefResolver,
    swagger: bool,
    warnings: list[CompileWarning],
) -> tuple[list[OperationSpec], int]:
    """Every usable operation in document order, and how many operations the document has."""
    collector = _Collector(document, resolver, swagger, warnings)
    found = collector.operations()
    return found, collector.count

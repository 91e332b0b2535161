"""Walk `paths`: every operation of the document, normalised, or a warning saying why not."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import msgspec

from domain.openapi.document import HTTP_METHODS
from domain.openapi.openapi3_bodies import body_from_v3, response_from_v3
from domain.openapi.operation_specs import BodySpec, OperationSpec, ParameterSpec, ResponseSpec
from domain.openapi.parameters import parameter_from_v3, problem_with_parameter
from domain.openapi.refs import RefResolver
from domain.openapi.swagger2 import body_from_v2, parameter_from_v2, response_from_v2
from domain.openapi.warnings import CompileWarning, json_pointer

__all__ = ["OPERATION_SKIPPED", "collect_operations"]

OPERATION_SKIPPED = "operation_skipped"


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
        # Per-document memos keyed by id(); each value holds its key object, so ids stay unique.
        self._checked: dict[tuple[int, str], tuple[Any, tuple[str, str] | None, Any]] = {}
        self._encoder = msgspec.json.Encoder()
        self._interned: dict[tuple[bytes, str], Any] = {}
        self._specs: dict[tuple[int, str], tuple[ParameterSpec, CompileWarning | None, Any]] = {}

    def warn(self, code: str, message: str, pointer: str) -> None:
        self.warnings.append(CompileWarning(code=code, message=message, pointer=pointer))

    def operations(self) -> Iterator[OperationSpec]:
        paths = self.document.get("paths")
        if not isinstance(paths, Mapping):
            return
        for path, raw_item in paths.items():
            pointer = json_pointer("paths", str(path))
            if not isinstance(path, str) or not path.startswith("/"):
                if not (isinstance(path, str) and path.startswith("x-")):
                    self.warn("path_skipped", 'a path must start with "/"', pointer)
                continue
            item, base, problem = self.resolver.follow(raw_item, self.resolver.base_uri)
            if problem is not None or not isinstance(item, Mapping):
                self.warn("path_skipped", problem or "a path item must be an object", pointer)
                continue
            shared = self._raw_parameters(item.get("parameters"), base, pointer)
            for method in HTTP_METHODS:
                if method in item:
                    self.count += 1
                    found = self._operation(path, method, item[method], base, pointer, shared)
                    if found is not None:
                        yield found

    def _operation(
        self,
        path: str,
        method: str,
        raw: Any,
        base: str,
        item_pointer: str,
        shared: list[tuple[Mapping[str, Any], str, str]],
    ) -> OperationSpec | None:
        pointer = f"{item_pointer}/{method}"
        node, op_base, problem = self.resolver.follow(raw, base)
        if problem is not None or not isinstance(node, Mapping):
            self.warn(OPERATION_SKIPPED, problem or "an operation must be an object", pointer)
            return None
        merged: dict[tuple[str, str], tuple[Mapping[str, Any], str, str]] = {}
        for entry in (*shared, *self._raw_parameters(node.get("parameters"), op_base, pointer)):
            merged[(str(entry[0]["name"]), str(entry[0]["in"]))] = entry
        parameters, body = self._parameters(list(merged.values()), node, op_base, pointer)
        response = self._response(node, op_base, pointer)
        for key in ("callbacks",):
            if isinstance(node.get(key), Mapping) and node[key]:
                self.warn("callbacks_skipped", "callbacks are not tools", f"{pointer}/{key}")
        return OperationSpec(method.upper(), path, pointer, node, parameters, body, response)

    def _raw_parameters(
        self, raw: Any, base: str, pointer: str
    ) -> list[tuple[Mapping[str, Any], str, str]]:
        if raw is None:
            return []
        if not isinstance(raw, list):
            self.warn("parameter_skipped", "parameters must be a list", f"{pointer}/parameters")
            return []
        found: list[tuple[Mapping[str, Any], str, str]] = []
        for index, entry in enumerate(raw):
            where = f"{pointer}/parameters/{index}"
            node, node_base, problem = self.resolver.follow(entry, base)
            if problem is not None:
                self.warn("parameter_skipped", problem, where)
                continue
            checked = self._checked.get((id(node), node_base))
            if checked is None:
                checked = self._checked_parameter(node, node_base)
            kept, warning = checked[0], checked[1]
            if warning is not None:
                self.warn(warning[0], warning[1], where)
            if kept is not None:
                found.append((kept, node_base, where))
        return found

    def _checked_parameter(self, node: Any, base: str) -> tuple[Any, tuple[str, str] | None, Any]:
        # A parameter is checked and normalised once per document: shared ones (`$ref`s) by
        # identity, and inline ones by content. Big documents repeat the same inline parameter
        # on many operations (Graph: 27,000 inline parameters, 1,400 distinct), so equal ones
        # are replaced by the first one met: its ParameterSpec and converted schema are reused.
        canonical = node
        try:
            content = self._encoder.encode(node)
        except (TypeError, msgspec.EncodeError):
            content = None  # not plain JSON: only its identity is memoised
        if content is not None:
            canonical = self._interned.setdefault((content, base), node)
        checked = self._checked.get((id(canonical), base))
        if checked is None:
            checked = (*self._check_parameter(canonical), canonical)
            self._checked[(id(canonical), base)] = checked
        self._checked[(id(node), base)] = (*checked[:2], node)
        return checked

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

    def _parameters(
        self,
        merged: list[tuple[Mapping[str, Any], str, str]],
        node: Mapping[str, Any],
        base: str,
        pointer: str,
    ) -> tuple[tuple[ParameterSpec, ...], BodySpec | None]:
        parameters: list[ParameterSpec] = []
        body_param = None
        form = []
        for raw, raw_base, where in merged:
            location = raw.get("in")
            if location == "body":
                body_param = (raw, raw_base, where)
                continue
            if location == "formData":
                form.append((raw, raw_base, where))
                continue
            spec, warning = self._parameter(raw, raw_base, where)
            if warning is not None:
                self.warnings.append(warning)
            parameters.append(spec)
        if self.swagger:
            return tuple(parameters), body_from_v2(body_param, form, self._media("consumes", node))
        return tuple(parameters), self._body_v3(node.get("requestBody"), base, pointer)

    def _parameter(
        self, raw: Mapping[str, Any], base: str, where: str
    ) -> tuple[ParameterSpec, CompileWarning | None]:
        # A shared parameter is normalised once: its ParameterSpec (and so its schema object,
        # which the converter memoises by identity) is reused by every operation, and keeps
        # the pointer of its first use, which is where schema warnings point anyway.
        memo = self._specs.get((id(raw), base))
        if memo is None:
            convert = parameter_from_v2 if self.swagger else parameter_from_v3
            spec, warning = convert(raw, base, where)
            self._specs[(id(raw), base)] = (spec, warning, raw)
            return spec, warning
        spec, warning = memo[0], memo[1]
        if warning is not None:
            warning = CompileWarning(warning.code, warning.message, where)
        return spec, warning

    def _body_v3(self, raw: Any, base: str, pointer: str) -> BodySpec | None:
        if raw is None:
            return None
        where = f"{pointer}/requestBody"
        node, node_base, problem = self.resolver.follow(raw, base)
        if problem is not None or not isinstance(node, Mapping):
            self.warn("body_skipped", problem or "a request body must be an object", where)
            return None
        body = body_from_v3(node, node_base, where)
        if body is not None and body.as_text:
            self.warn("body_as_text", f"{body.media_type} body is sent as a string", body.pointer)
        return body

    def _media(self, key: str, node: Mapping[str, Any]) -> list[object]:
        value = node.get(key, self.document.get(key))
        return list(value) if isinstance(value, list) else []

    def _response(self, node: Mapping[str, Any], base: str, pointer: str) -> ResponseSpec | None:
        responses = node.get("responses")
        if not isinstance(responses, Mapping):
            return None
        where = f"{pointer}/responses"
        if self.swagger:
            produces = self._media("produces", node)
            return response_from_v2(responses, self.resolver.follow, base, where, produces)
        return response_from_v3(responses, self.resolver.follow, base, where)


def collect_operations(
    document: Mapping[str, Any],
    resolver: RefResolver,
    swagger: bool,
    warnings: list[CompileWarning],
) -> tuple[list[OperationSpec], int]:
    """Every usable operation in document order, and how many operations the document has."""
    collector = _Collector(document, resolver, swagger, warnings)
    found = list(collector.operations())
    return found, collector.count

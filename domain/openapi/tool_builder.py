"""One OperationSpec to one ToolDefinition: schemas, description, annotations and routing."""

from __future__ import annotations

from typing import Any, Final

from domain.openapi.operation_specs import BodySpec, OperationSpec, ParameterSpec, ResponseSpec
from domain.openapi.routing import BODY, body_route, parameter_route, property_names
from domain.openapi.schema_convert import SchemaConverter
from domain.openapi.tools import ArgumentRoute, Routing, ToolAnnotations, ToolDefinition

__all__ = ["ToolBuilder", "describe"]

_ELLIPSIS: Final = "\u2026"


def describe(summary: Any, description: Any, fallback: str, limit: int) -> str:
    """Summary and description joined, capped at `limit` characters (an ellipsis marks a cut)."""
    head = summary.strip() if isinstance(summary, str) else ""
    text = description.strip() if isinstance(description, str) else ""
    if head and text:
        if not text.startswith(head):
            text = head + "\n\n" + text
    else:
        text = head or text or fallback
    if len(text) > limit:
        text = text[: max(limit - 1, 0)].rstrip() + _ELLIPSIS
    return text[:limit]


# properties, required names, routes, `$ref` keys, the parameters (held: their id is a key),
# and whether some parameter got another property name than its own
_Block = tuple[
    dict[str, Any], list[str], list[ArgumentRoute], list[str], tuple[ParameterSpec, ...], bool
]


class _Parameters:
    """inputSchema properties and routes of parameters, built once per ParameterSpec.

    The collector hands the same ParameterSpec to every operation sharing a parameter, so its
    converted schema (description included) is one read-only object shared by those tools,
    like the `$defs` bodies, and so is its route (when the parameter keeps its name).
    """

    def __init__(self, converter: SchemaConverter) -> None:
        self._converter = converter
        self._built: dict[int, tuple[Any, tuple[str, ...], ArgumentRoute, ParameterSpec]] = {}
        self._blocks: dict[tuple[int, bool], _Block] = {}
        self._body_routes: dict[str, ArgumentRoute] = {}

    def of(self, spec: ParameterSpec) -> tuple[Any, tuple[str, ...], ArgumentRoute, ParameterSpec]:
        """The property schema, the keys of the `$ref`s it makes, and the route of `spec`."""
        built = self._built.get(id(spec))
        if built is None:
            local: list[str] = []
            schema = self._converter.convert(
                spec.schema, spec.base, "input", (spec.pointer, "schema"), local, by_content=True
            )
            if spec.description and isinstance(schema, dict) and "description" not in schema:
                schema["description"] = spec.description
            # The spec is kept too: its id is not reused.
            built = (schema, tuple(local), parameter_route(spec, spec.name), spec)
            self._built[id(spec)] = built
        return built

    def block(
        self,
        parameters: tuple[ParameterSpec, ...],
        with_body: bool,
        parts: tuple[tuple[ParameterSpec, ...], tuple[ParameterSpec, ...] | None] | None = None,
    ) -> _Block:
        """The properties, required names, routes and `$ref` keys of an operation's
        parameters (read-only). The collector hands the same tuple to the operations that
        have the same parameters: built once for them. `parts`: the parameters as the path
        item's then the operation's own, when known (their blocks are shared then)."""
        found = self._blocks.get((id(parameters), with_body))
        if found is None:
            if parts is not None:
                found = self.joined(parameters, with_body, parts[0], parts[1])
            else:
                found = self._block(parameters, with_body)
            self._blocks[(id(parameters), with_body)] = found
        return found

    def joined(
        self,
        parameters: tuple[ParameterSpec, ...],
        with_body: bool,
        head: tuple[ParameterSpec, ...],
        tail: tuple[ParameterSpec, ...] | None,
    ) -> _Block:
        """The block of `parameters`, which are `head` (the path item's) then the rest (the
        operation's own; `tail` when known). Schemas are converted in the same order."""
        found = None
        if head and parameters is not head:
            found = self._joined(parameters, with_body, head, tail)
        return found if found is not None else self._block(parameters, with_body)

    def _joined(
        self,
        parameters: tuple[ParameterSpec, ...],
        with_body: bool,
        head: tuple[ParameterSpec, ...],
        tail: tuple[ParameterSpec, ...] | None,
    ) -> _Block | None:
        # The path item's block then the operation's parameters, when no name needs changing
        # (else None: see `property_names`).
        start = self.block(head, with_body)
        if start[5]:
            return None
        if tail is not None:  # a part other operations have too: its own block, shared
            end = self.block(tail, with_body)
            if end[5] or not start[0].keys().isdisjoint(end[0]):
                return None
            return (
                {**start[0], **end[0]},
                start[1] + end[1],
                start[2] + end[2],
                start[3] + end[3],
                parameters,
                False,
            )
        properties = dict(start[0])
        own = parameters[len(head) :]
        for spec in own:
            if spec.name in properties or (with_body and spec.name == BODY):
                return None
            properties[spec.name] = None
        required = list(start[1])
        routes = list(start[2])
        deps = list(start[3])
        for spec in own:
            schema, reached, route, _ = self.of(spec)
            properties[spec.name] = schema
            deps.extend(reached)
            if spec.required:
                required.append(spec.name)
            routes.append(route)
        return properties, required, routes, deps, parameters, False

    def _block(self, parameters: tuple[ParameterSpec, ...], with_body: bool) -> _Block:
        properties: dict[str, Any] = {}
        required: list[str] = []
        routes: list[ArgumentRoute] = []
        deps: list[str] = []
        names = property_names(parameters, with_body)
        for index, spec in enumerate(parameters):
            schema, reached, route, _ = self.of(spec)
            name = spec.name if names is None else names[index]
            properties[name] = schema
            deps.extend(reached)
            if spec.required:
                required.append(name)
            routes.append(route if name == spec.name else parameter_route(spec, name))
        return properties, required, routes, deps, parameters, names is not None

    def body_route(self, body: BodySpec) -> ArgumentRoute:
        """The route of a request body (one object per media type)."""
        route = self._body_routes.get(body.media_type)
        if route is None:
            route = self._body_routes[body.media_type] = body_route(body)
        return route


def _input_schema(
    operation: OperationSpec,
    converter: SchemaConverter,
    shared: _Parameters,
) -> tuple[dict[str, Any], list[ArgumentRoute]]:
    body = operation.body
    parts = operation.parts
    if parts is not None and parts[1] is None:
        # Parameters no other operation has (EC2: each its own `Action`): built for this
        # operation only, not kept.
        properties, required, routes, deps, _, _ = shared.joined(
            operation.parameters, body is not None, parts[0], None
        )
    else:
        block = shared.block(operation.parameters, body is not None, parts)
        properties = dict(block[0])
        required = list(block[1])
        routes = list(block[2])
        deps = list(block[3])
    if body is not None:
        if body.as_text:
            schema = {"type": "string", "description": f"The {body.media_type} body, as text."}
        else:
            schema = converter.convert(body.schema, body.base, "input", body.pointer, deps)
        if body.description and isinstance(schema, dict) and "description" not in schema:
            schema["description"] = body.description
        properties[BODY] = schema
        if body.required:
            required.append(BODY)
        routes.append(shared.body_route(body))
    result: dict[str, Any] = {"type": "object", "properties": properties}
    if required:
        result["required"] = required
    if deps:
        defs = converter.defs(deps, "input")
        if defs:
            result["$defs"] = defs
    return result, routes


def _output_schema(
    response: ResponseSpec, converter: SchemaConverter
) -> tuple[dict[str, Any] | None, bool]:
    deps: list[str] = []
    root = converter.convert(response.schema, response.base, "output", response.pointer, deps)
    wrapped = False
    if isinstance(root, dict) and root.get("type") == "object":
        result = root
    elif isinstance(root, dict) and converter.target_type(root, "output") == "object":
        result = {"type": "object", **root}
    else:
        result = {"type": "object", "properties": {"result": root}}
        wrapped = True
    defs = converter.defs(deps, "output")
    if defs:
        result["$defs"] = defs
    return result, wrapped


class ToolBuilder:
    """Builds the MCP tools of one document (one compile): shares what operations share.

    `build` runs once per operation (tens of thousands for the largest documents): what
    operations share is looked up, not rebuilt. Operations with the same parameters (the
    collector hands them the same tuple) and the same body schema get the same inputSchema,
    and a response that is only a `$ref` gives the same outputSchema as every other one
    with that `$ref`: built once, a top-level copy per tool.
    """

    def __init__(self, converter: SchemaConverter, description_limit: int) -> None:
        self._converter = converter
        self._parameters = _Parameters(converter)
        self._limit = description_limit
        self._annotations: dict[tuple[str, Any], ToolAnnotations] = {}
        # key -> (inputSchema, routes, what the key's ids belong to: held)
        self._inputs: dict[Any, tuple[dict[str, Any], tuple[ArgumentRoute, ...], Any]] = {}
        self._outputs: dict[tuple[str, str], tuple[dict[str, Any] | None, bool]] = {}

    def build(self, operation: OperationSpec, name: str) -> ToolDefinition:
        """The MCP tool of one operation."""
        node = operation.node
        method = operation.method
        body = operation.body
        parts = operation.parts
        if parts is not None and parts[1] is None:
            # Parameters of this operation only (EC2: each has its own `Action`): no memo.
            input_schema, arguments = _input_schema(operation, self._converter, self._parameters)
            routes = tuple(arguments)
        else:
            parameters = operation.parameters
            key: Any
            if body is None:
                key = id(parameters)
            else:
                key = (
                    id(parameters),
                    id(body.schema),
                    body.base,
                    body.media_type,
                    body.required,
                    body.description,
                    body.as_text,
                )
            known = self._inputs.get(key)
            if known is None:
                schema, arguments = _input_schema(operation, self._converter, self._parameters)
                known = (schema, tuple(arguments), (parameters, body.schema if body else None))
                self._inputs[key] = known
            input_schema = dict(known[0])
            routes = known[1]
        response = operation.response
        if response is None:
            output_schema, wrapped = None, False
        else:
            root = response.schema
            if type(root) is dict and len(root) == 1 and type(root.get("$ref")) is str:
                ref_key = (root["$ref"], response.base)
                output = self._outputs.get(ref_key)
                if output is None:
                    output = self._outputs[ref_key] = _output_schema(response, self._converter)
                output_schema = dict(output[0]) if output[0] is not None else None
                wrapped = output[1]
            else:
                output_schema, wrapped = _output_schema(response, self._converter)
        summary = node.get("summary")
        try:
            annotations = self._annotations.get((method, summary))
        except TypeError:  # an unhashable summary (not text): no title
            annotations = self._annotation(method, None)
        if annotations is None:
            annotations = self._annotations[(method, summary)] = self._annotation(method, summary)
        return ToolDefinition(
            name,
            describe(
                summary,
                node.get("description"),
                f"{method} {operation.path}",
                self._limit,
            ),
            input_schema,
            output_schema,
            annotations,
            Routing(
                method,
                operation.path,
                routes,
                body.media_type if body is not None else None,
                body.required if body is not None else False,
                wrapped,
            ),
        )

    @staticmethod
    def _annotation(method: str, summary: Any) -> ToolAnnotations:
        # Frozen, so one object per (method, summary) serves every tool that has them.
        title = summary.strip() if isinstance(summary, str) and summary.strip() else None
        return ToolAnnotations(
            title=title,
            read_only_hint=method in ("GET", "HEAD"),
            destructive_hint=method == "DELETE",
            idempotent_hint=method in ("PUT", "DELETE"),
            open_world_hint=True,
        )

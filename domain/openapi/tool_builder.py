"""One OperationSpec to one ToolDefinition: schemas, description, annotations and routing."""

from __future__ import annotations

from typing import Any

from domain.openapi.operation_specs import OperationSpec, ParameterSpec
from domain.openapi.routing import BODY, argument_routes
from domain.openapi.schema_convert import SchemaConverter
from domain.openapi.tools import Routing, ToolAnnotations, ToolDefinition

__all__ = ["ToolBuilder", "describe"]

_ELLIPSIS = "\u2026"


def describe(summary: Any, description: Any, fallback: str, limit: int) -> str:
    """Summary and description joined, capped at `limit` characters (an ellipsis marks a cut)."""
    parts = [p.strip() for p in (summary, description) if isinstance(p, str) and p.strip()]
    if len(parts) == 2 and parts[1].startswith(parts[0]):
        parts = parts[1:]
    text = "\n\n".join(parts) or fallback
    if len(text) > limit:
        text = text[: max(limit - 1, 0)].rstrip() + _ELLIPSIS
    return text[:limit]


def _annotations(method: str, summary: Any) -> ToolAnnotations:
    title = summary.strip() if isinstance(summary, str) and summary.strip() else None
    return ToolAnnotations(
        title=title,
        read_only_hint=method in ("GET", "HEAD"),
        destructive_hint=method == "DELETE",
        idempotent_hint=method in ("PUT", "DELETE"),
        open_world_hint=True,
    )


class _Properties:
    """inputSchema properties of parameters, built once per ParameterSpec.

    The collector hands the same ParameterSpec to every operation sharing a parameter, so its
    converted schema (description included) is one read-only object shared by those tools,
    like the `$defs` bodies.
    """

    def __init__(self, converter: SchemaConverter) -> None:
        self._converter = converter
        self._built: dict[int, tuple[Any, tuple[str, ...], ParameterSpec]] = {}

    def of(self, spec: ParameterSpec, deps: list[str]) -> Any:
        built = self._built.get(id(spec))
        if built is None:
            local: list[str] = []
            schema = self._converter.convert(
                spec.schema, spec.base, "input", spec.pointer + "/schema", local
            )
            if spec.description and isinstance(schema, dict) and "description" not in schema:
                schema["description"] = spec.description
            built = (schema, tuple(local), spec)  # the spec is kept: its id is not reused
            self._built[id(spec)] = built
        deps.extend(built[1])
        return built[0]


def _input_schema(
    operation: OperationSpec,
    names: list[str],
    converter: SchemaConverter,
    shared: _Properties,
) -> dict[str, Any]:
    deps: list[str] = []
    properties: dict[str, Any] = {}
    required: list[str] = []
    for spec, name in zip(operation.parameters, names, strict=False):
        properties[name] = shared.of(spec, deps)
        if spec.required:
            required.append(name)
    body = operation.body
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
    result: dict[str, Any] = {"type": "object", "properties": properties}
    if required:
        result["required"] = required
    defs = converter.defs(deps, "input")
    if defs:
        result["$defs"] = defs
    return result


def _output_schema(
    operation: OperationSpec, converter: SchemaConverter
) -> tuple[dict[str, Any] | None, bool]:
    response = operation.response
    if response is None:
        return None, False
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
    """Builds the MCP tools of one document (one compile): shares what operations share."""

    def __init__(self, converter: SchemaConverter, description_limit: int) -> None:
        self._converter = converter
        self._properties = _Properties(converter)
        self._limit = description_limit

    def build(self, operation: OperationSpec, name: str) -> ToolDefinition:
        """The MCP tool of one operation."""
        return _build_tool(operation, name, self._converter, self._properties, self._limit)


def _build_tool(
    operation: OperationSpec,
    name: str,
    converter: SchemaConverter,
    shared: _Properties,
    description_limit: int,
) -> ToolDefinition:
    node = operation.node
    routes = argument_routes(operation.parameters, operation.body)
    input_schema = _input_schema(operation, [r.name for r in routes], converter, shared)
    output_schema, wrapped = _output_schema(operation, converter)
    body = operation.body
    return ToolDefinition(
        name=name,
        description=describe(
            node.get("summary"),
            node.get("description"),
            f"{operation.method} {operation.path}",
            description_limit,
        ),
        input_schema=input_schema,
        output_schema=output_schema,
        annotations=_annotations(operation.method, node.get("summary")),
        routing=Routing(
            method=operation.method,
            path=operation.path,
            arguments=tuple(routes),
            body_media_type=body.media_type if body is not None else None,
            body_required=body.required if body is not None else False,
            output_wrapped=wrapped,
        ),
    )

"""compile_spec: an OpenAPI 3.0/3.1 or Swagger 2.0 document to MCP tool definitions."""

from __future__ import annotations

import gc
from collections.abc import Mapping
from typing import Any

from domain.errors import FieldProblem, InvalidSpecDocument
from domain.openapi.document import detect_version
from domain.openapi.naming import NameRequest, assign_names
from domain.openapi.operations import collect_operations
from domain.openapi.refs import RefResolver
from domain.openapi.schema_convert import SchemaConverter
from domain.openapi.tool_builder import ToolBuilder
from domain.openapi.tools import CompiledSpec
from domain.openapi.warnings import CompileWarning

__all__ = ["compile_spec"]


def compile_spec(
    document: Mapping[str, Any],
    *,
    description_limit: int = 1000,
    external: Mapping[str, Any] | None = None,
    base_uri: str = "",
) -> CompiledSpec:
    """Compile every operation of `document` into an MCP tool.

    Args:
        document: the decoded root document (plain dicts and lists; it is not modified).
        description_limit: the longest tool description, in characters.
        external: other documents reached by relative `$ref`s, keyed by their location
            resolved against `base_uri` (see `RefResolver`); may load lazily.
        base_uri: the root document's own location (a file name or URL), for relative refs.

    Raises:
        InvalidSpecDocument: not an OpenAPI 3.0/3.1 or Swagger 2.0 document.
    """
    if not isinstance(document, Mapping):
        raise InvalidSpecDocument(
            "The document must be a JSON or YAML object.",
            [FieldProblem((), "expected an object at the top level")],
        )
    if description_limit < 1:
        raise InvalidSpecDocument(
            "The description limit must be positive.",
            [FieldProblem(("description_limit",), "expected at least 1")],
        )
    version = detect_version(document)
    # Pure CPU work (no I/O) that allocates several objects per schema node while the decoded
    # document (over a million objects for the largest specs) is alive: each automatic full
    # collection rescans all of it and finds nothing to free (compiling makes no garbage
    # cycles). Pausing the collector cut Graph's compile time by about 40%; the caller's next
    # collection sees the new objects once. Restored in `finally`; left off if it was off.
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return _compile(document, version, description_limit, external, base_uri)
    finally:
        if was_enabled:
            gc.enable()


def _compile(
    document: Mapping[str, Any],
    version: str,
    description_limit: int,
    external: Mapping[str, Any] | None,
    base_uri: str,
) -> CompiledSpec:
    warnings: list[CompileWarning] = []
    resolver = RefResolver(document, base_uri, external)
    converter = SchemaConverter(resolver, warnings)
    operations, count = collect_operations(document, resolver, version == "2.0", warnings)
    names = assign_names(
        [NameRequest(op.method, op.path, op.node.get("operationId")) for op in operations]
    )
    build = ToolBuilder(converter, description_limit).build
    tools = tuple([build(op, name) for op, name in zip(operations, names, strict=True)])
    webhooks = document.get("webhooks")
    if isinstance(webhooks, Mapping) and webhooks:
        warnings.append(
            CompileWarning(
                "webhooks_skipped", "webhooks are requests the API sends, not tools", "/webhooks"
            )
        )
    return CompiledSpec(tools=tools, warnings=tuple(warnings), operation_count=count)

"""What the compiler produces: MCP tool definitions with the routing to call the upstream API."""

from __future__ import annotations

from typing import Any, Literal

import msgspec

from domain.openapi.warnings import CompileWarning

__all__ = [
    "ArgumentLocation",
    "ArgumentRoute",
    "CompiledSpec",
    "Routing",
    "ToolAnnotations",
    "ToolDefinition",
]

ArgumentLocation = Literal["path", "query", "header", "cookie", "body"]


class ArgumentRoute(msgspec.Struct, frozen=True):
    """Where one inputSchema property goes in the upstream request.

    `style`/`explode`/`allow_reserved` follow OpenAPI 3 serialisation rules; `content_type` is set
    for parameters described by `content` (serialise the value with that media type).
    """

    name: str
    location: ArgumentLocation
    wire_name: str
    style: str
    explode: bool
    allow_reserved: bool = False
    content_type: str | None = None


class Routing(msgspec.Struct, frozen=True):
    """Everything an executor needs to rebuild the upstream request of one tool.

    `output_wrapped` says the response body sits under `result` in structured content (the
    outputSchema wraps a non-object response).
    """

    method: str
    path: str
    arguments: tuple[ArgumentRoute, ...]
    body_media_type: str | None = None
    body_required: bool = False
    output_wrapped: bool = False


class ToolAnnotations(msgspec.Struct, frozen=True):
    """MCP tool annotations (hints for clients), derived from the HTTP method."""

    title: str | None
    read_only_hint: bool
    destructive_hint: bool
    idempotent_hint: bool
    open_world_hint: bool = True


class ToolDefinition(msgspec.Struct, frozen=True):
    """One MCP tool: one OpenAPI operation."""

    name: str
    description: str
    input_schema: dict[str, Any]
    output_schema: dict[str, Any] | None
    annotations: ToolAnnotations
    routing: Routing


class CompiledSpec(msgspec.Struct, frozen=True):
    """The tools of a document, what was skipped or approximated, and the operation count."""

    tools: tuple[ToolDefinition, ...]
    warnings: tuple[CompileWarning, ...]
    operation_count: int

"""Tools as MCP `tools/list` entries (camelCase annotations, schemas as stored)."""

from __future__ import annotations

from typing import Any

from application.usecases.endpoint_catalog import EndpointSnapshot
from domain.servers import Tool

__all__ = ["listed_tools", "mcp_tool"]

_ANNOTATION_KEYS = {
    "title": "title",
    "read_only_hint": "readOnlyHint",
    "destructive_hint": "destructiveHint",
    "idempotent_hint": "idempotentHint",
    "open_world_hint": "openWorldHint",
}


def _annotations(stored: dict[str, Any]) -> dict[str, Any]:
    # Stored keys are snake_case; camelCase ones are accepted too, in case an override used them.
    out: dict[str, Any] = {}
    for key, value in stored.items():
        wire = _ANNOTATION_KEYS.get(key, key if key in _ANNOTATION_KEYS.values() else None)
        if wire is not None and value is not None:
            out[wire] = value
    return out


def mcp_tool(tool: Tool) -> dict[str, Any]:
    """One `tools/list` entry."""
    entry: dict[str, Any] = {
        "name": tool.name,
        "description": tool.description,
        "inputSchema": tool.input_schema,
    }
    if tool.output_schema is not None:
        entry["outputSchema"] = tool.output_schema
    annotations = _annotations(tool.annotations)
    if annotations:
        entry["annotations"] = annotations
    return entry


def listed_tools(snapshot: EndpointSnapshot) -> list[dict[str, Any]]:
    """The endpoint's active tools, in the snapshot's stable order (by name)."""
    return [mcp_tool(tool) for tool in snapshot.active_tools]

"""Matching a server's stored tools with a freshly compiled spec."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import msgspec

from application.ports.clock import IdGenerator
from domain.openapi.tools import CompiledSpec, ToolDefinition
from domain.servers import Server, Tool

__all__ = ["ToolChanges", "ToolSyncPlan", "plan_tool_sync", "tool_from_definition"]


class ToolChanges(msgspec.Struct, frozen=True):
    """How many tools a re-compile added, kept and removed (summed over servers)."""

    added: int = 0
    kept: int = 0
    removed: int = 0

    def __add__(self, other: ToolChanges) -> ToolChanges:
        return ToolChanges(
            self.added + other.added, self.kept + other.kept, self.removed + other.removed
        )


class ToolSyncPlan(msgspec.Struct, frozen=True):
    """The writes that bring one server's tools in line with a compiled spec."""

    to_add: tuple[Tool, ...]
    to_update: tuple[Tool, ...]
    to_remove: tuple[str, ...]

    @property
    def changes(self) -> ToolChanges:
        return ToolChanges(len(self.to_add), len(self.to_update), len(self.to_remove))


def _annotations(definition: ToolDefinition) -> dict[str, Any]:
    raw = msgspec.to_builtins(definition.annotations)
    assert isinstance(raw, dict)
    return raw


def _routing(definition: ToolDefinition) -> dict[str, Any]:
    raw = msgspec.to_builtins(definition.routing)
    assert isinstance(raw, dict)
    return raw


def tool_from_definition(
    server: Server, definition: ToolDefinition, ids: IdGenerator, now: datetime
) -> Tool:
    """A new, active tool of `server` for one compiled operation."""
    return Tool(
        id=ids.new_id(),
        server_id=server.id,
        owner_id=server.owner_id,
        name=definition.name,
        source_name=definition.name,
        description=definition.description,
        input_schema=definition.input_schema,
        output_schema=definition.output_schema,
        annotations=_annotations(definition),
        method=definition.routing.method,
        path=definition.routing.path,
        routing=_routing(definition),
        is_active=True,
        created_at=now,
        updated_at=now,
    )


def plan_tool_sync(
    server: Server,
    existing: Sequence[Tool],
    compiled: CompiledSpec,
    ids: IdGenerator,
    now: datetime,
) -> ToolSyncPlan:
    """Tools whose compiled name survives keep their id, `is_active` and renamed name;
    their schemas and routing follow the new document. New operations are added active;
    vanished ones are removed."""
    by_source = {tool.source_name: tool for tool in existing}
    wanted = {d.name for d in compiled.tools}
    kept_names = {t.name for t in existing if t.source_name in wanted}
    to_add: list[Tool] = []
    to_update: list[Tool] = []
    for definition in compiled.tools:
        old = by_source.get(definition.name)
        if old is None:
            tool = tool_from_definition(server, definition, ids, now)
            if tool.name in kept_names:
                # A renamed tool already uses this name: the newcomer yields.
                tool = msgspec.structs.replace(tool, name=f"{tool.name[:55]}_{tool.id[:8]}")
            to_add.append(tool)
            continue
        renamed = old.name != old.source_name
        to_update.append(
            msgspec.structs.replace(
                old,
                name=old.name if renamed else definition.name,
                input_schema=definition.input_schema,
                output_schema=definition.output_schema,
                annotations=_annotations(definition),
                method=definition.routing.method,
                path=definition.routing.path,
                routing=_routing(definition),
                description=old.description
                if old.description_overridden
                else definition.description,
                updated_at=now,
            )
        )
    to_remove = tuple(t.id for t in existing if t.source_name not in wanted)
    return ToolSyncPlan(tuple(to_add), tuple(to_update), to_remove)

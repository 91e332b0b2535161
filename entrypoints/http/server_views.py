"""What the server and tool routes answer (camelCase JSON). Never a token or its digest."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import msgspec

from application.usecases.read_servers import ServerSummary
from domain.servers import Tool

__all__ = [
    "ServerCreatedView",
    "ServerDeletedView",
    "ServerView",
    "TokenView",
    "ToolAnnotationsView",
    "ToolView",
    "server_view",
    "tool_view",
]


class ServerView(msgspec.Struct, frozen=True, rename="camel"):
    """A hosted server."""

    id: str
    spec_id: str
    name: str
    slug: str
    endpoint_id: str
    mcp_url: str
    auth_mode: str
    auth_config: dict[str, Any]
    base_url: str
    rate_limit_per_minute: int
    is_active: bool
    tool_count: int
    active_tool_count: int
    created_at: datetime
    updated_at: datetime


class ServerCreatedView(ServerView, frozen=True, rename="camel"):
    """A new server with its access token, shown only now."""

    token: str = ""
    token_warning: str = ""


class ServerDeletedView(msgspec.Struct, frozen=True):
    """The deleted server's id."""

    id: str
    deleted: bool


class TokenView(msgspec.Struct, frozen=True, rename="camel"):
    """A new access token, shown only now."""

    token: str
    token_warning: str


class ToolAnnotationsView(msgspec.Struct, frozen=True, rename="camel", omit_defaults=True):
    """MCP tool annotations."""

    read_only_hint: bool
    destructive_hint: bool
    idempotent_hint: bool
    open_world_hint: bool
    title: str | None = None


class ToolView(msgspec.Struct, frozen=True, rename="camel"):
    """One tool of a server."""

    id: str
    server_id: str
    name: str
    description: str
    input_schema: dict[str, Any]
    output_schema: dict[str, Any] | None
    annotations: ToolAnnotationsView
    method: str
    path: str
    is_active: bool
    created_at: datetime
    updated_at: datetime


def server_fields(summary: ServerSummary, public_url: str) -> dict[str, Any]:
    s = summary.server
    return {
        "id": s.id,
        "spec_id": s.spec_id,
        "name": s.name,
        "slug": s.slug,
        "endpoint_id": s.endpoint_id,
        "mcp_url": f"{public_url}/mcp/{s.endpoint_id}",
        "auth_mode": s.auth_mode,
        "auth_config": s.auth_config,
        "base_url": s.base_url,
        "rate_limit_per_minute": s.rate_limit_per_minute,
        "is_active": s.is_active,
        "tool_count": summary.tool_count,
        "active_tool_count": summary.active_tool_count,
        "created_at": s.created_at,
        "updated_at": s.updated_at,
    }


def server_view(summary: ServerSummary, public_url: str) -> ServerView:
    return ServerView(**server_fields(summary, public_url))


def tool_view(tool: Tool) -> ToolView:
    a = tool.annotations
    return ToolView(
        id=tool.id,
        server_id=tool.server_id,
        name=tool.name,
        description=tool.description,
        input_schema=tool.input_schema,
        output_schema=tool.output_schema,
        annotations=ToolAnnotationsView(
            read_only_hint=bool(a.get("read_only_hint")),
            destructive_hint=bool(a.get("destructive_hint")),
            idempotent_hint=bool(a.get("idempotent_hint")),
            open_world_hint=bool(a.get("open_world_hint", True)),
            title=a.get("title"),
        ),
        method=tool.method,
        path=tool.path,
        is_active=tool.is_active,
        created_at=tool.created_at,
        updated_at=tool.updated_at,
    )

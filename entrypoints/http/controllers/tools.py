"""Routes of API.md §4: a server's tools."""

from __future__ import annotations

from typing import Any

from litestar import Controller, HttpMethod, Request, get, route
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, FromQuery

from application.usecases.server_commands import UpdateToolCommand
from application.usecases.server_tools import ListTools, UpdateTool
from domain.errors import FieldProblem, InvalidRequest
from domain.users import User
from entrypoints.http.dependencies import current_user, page_request, parse_id, use_case
from entrypoints.http.envelope import Envelope, PageEnvelope, PageMeta
from entrypoints.http.openapi_docs import api_operation
from entrypoints.http.server_bodies import UpdateToolBody
from entrypoints.http.server_views import ToolView, tool_view
from entrypoints.http.strict_body import decode_strict

__all__ = ["ToolController"]


def _active_filter(value: str | None) -> bool | None:
    if value is None:
        return None
    if value in ("true", "false"):
        return value == "true"
    raise InvalidRequest("Invalid filter.", [FieldProblem(("active",), "must be true or false")])


class ToolController(Controller):
    """List a server's tools; activate, rename or re-describe one."""

    path = "/api/servers/{server_id:str}/tools"
    tags = ["tools"]
    dependencies = {
        "user": Provide(current_user, sync_to_thread=False),
        "list_tools": use_case("list_tools"),
        "update_tool": use_case("update_tool"),
    }

    @get("/", summary="List tools (ordered by name)", operation_class=api_operation())
    async def list_tools(
        self,
        server_id: FromPath[str],
        user: NamedDependency[User],
        list_tools: NamedDependency[ListTools],
        page: FromQuery[int] = 1,
        limit: FromQuery[int] = 20,
        active: FromQuery[str | None] = None,
    ) -> PageEnvelope[ToolView]:
        result = await list_tools(
            user.id,
            parse_id(server_id, "serverId"),
            page_request(page, limit),
            _active_filter(active),
        )
        return PageEnvelope(
            data=[tool_view(t) for t in result.items],
            meta=PageMeta(result.total, result.page, result.limit, result.has_more),
        )

    @route(
        "/{tool_id:str}",
        http_method=[HttpMethod.PUT, HttpMethod.PATCH],
        summary="Update a tool (PUT and PATCH alike: partial)",
        operation_class=api_operation(UpdateToolBody, (400, 401, 404, 409, 429, 500)),
    )
    async def update(
        self,
        request: Request[Any, Any, Any],
        server_id: FromPath[str],
        tool_id: FromPath[str],
        user: NamedDependency[User],
        update_tool: NamedDependency[UpdateTool],
    ) -> Envelope[ToolView]:
        sid = parse_id(server_id, "serverId")
        tid = parse_id(tool_id, "toolId")
        body = decode_strict(UpdateToolBody, await request.body())
        tool = await update_tool(
            user.id,
            sid,
            tid,
            UpdateToolCommand(
                is_active=body.is_active,
                name=body.name,
                description=body.description,
            ),
        )
        return Envelope(tool_view(tool))

"""Routes of API.md §3: servers, and creating them from a spec."""

from __future__ import annotations

from typing import Any

from litestar import Controller, HttpMethod, Request, delete, get, post, route
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, FromQuery

from application.usecases.create_server import CreateServer
from application.usecases.delete_server import DeleteServer, RotateServerToken
from application.usecases.read_servers import GetServer, ListServers, ServerSummary
from application.usecases.server_commands import CreateServerCommand, UpdateServerCommand
from application.usecases.update_server import UpdateServer
from domain.users import User
from entrypoints.http.dependencies import current_user, page_request, parse_id, use_case
from entrypoints.http.envelope import Envelope, PageEnvelope, PageMeta
from entrypoints.http.openapi_docs import api_operation
from entrypoints.http.server_bodies import CreateServerBody, UpdateServerBody
from entrypoints.http.server_views import (
    ServerCreatedView,
    ServerDeletedView,
    ServerView,
    TokenView,
    server_fields,
    server_view,
)
from entrypoints.http.strict_body import decode_strict

__all__ = ["ServerController", "SpecServersController"]

_DEPENDENCIES = {
    "user": Provide(current_user, sync_to_thread=False),
    "create_server": use_case("create_server"),
    "list_servers": use_case("list_servers"),
    "get_server": use_case("get_server"),
    "update_server": use_case("update_server"),
    "delete_server": use_case("delete_server"),
    "rotate_server_token": use_case("rotate_server_token"),
}


def _public_url(request: Request[Any, Any, Any]) -> str:
    return str(request.app.state.container.settings().public_url)


def _page(request: Request[Any, Any, Any], result: Any) -> PageEnvelope[ServerView]:
    public = _public_url(request)
    return PageEnvelope(
        data=[server_view(s, public) for s in result.items],
        meta=PageMeta(result.total, result.page, result.limit, result.has_more),
    )


class SpecServersController(Controller):
    """A spec's servers: list them, create one."""

    path = "/api/specs/{spec_id:str}/servers"
    tags = ["servers"]
    dependencies = _DEPENDENCIES

    @get("/", summary="List the spec's servers", operation_class=api_operation())
    async def list_for_spec(
        self,
        request: Request[Any, Any, Any],
        spec_id: FromPath[str],
        user: NamedDependency[User],
        list_servers: NamedDependency[ListServers],
        page: FromQuery[int] = 1,
        limit: FromQuery[int] = 20,
    ) -> PageEnvelope[ServerView]:
        result = await list_servers(
            user.id, page_request(page, limit), spec_id=parse_id(spec_id, "specId")
        )
        return _page(request, result)

    @post(
        "/",
        summary="Create a server from the spec",
        operation_class=api_operation(CreateServerBody, (400, 401, 403, 404, 409, 429, 500)),
    )
    async def create(
        self,
        request: Request[Any, Any, Any],
        spec_id: FromPath[str],
        user: NamedDependency[User],
        create_server: NamedDependency[CreateServer],
    ) -> Envelope[ServerCreatedView]:
        sid = parse_id(spec_id, "specId")
        body = decode_strict(CreateServerBody, await request.body())
        created = await create_server(
            user,
            CreateServerCommand(
                spec_id=sid,
                name=body.name,
                slug=body.slug,
                auth_mode=body.auth_mode,
                auth_config=body.auth_config,
                base_url=body.base_url,
                rate_limit_per_minute=body.rate_limit_per_minute,
            ),
        )
        summary = ServerSummary(created.server, created.tool_count, created.tool_count)
        return Envelope(
            ServerCreatedView(
                **server_fields(summary, _public_url(request)),
                token=created.token,
                token_warning=created.token_warning,
            )
        )


class ServerController(Controller):
    """The user's servers."""

    path = "/api/servers"
    tags = ["servers"]
    dependencies = _DEPENDENCIES

    @get("/", summary="List servers (newest first)", operation_class=api_operation())
    async def list_all(
        self,
        request: Request[Any, Any, Any],
        user: NamedDependency[User],
        list_servers: NamedDependency[ListServers],
        page: FromQuery[int] = 1,
        limit: FromQuery[int] = 20,
    ) -> PageEnvelope[ServerView]:
        return _page(request, await list_servers(user.id, page_request(page, limit)))

    @get("/{server_id:str}", summary="Get a server", operation_class=api_operation())
    async def get_one(
        self,
        request: Request[Any, Any, Any],
        server_id: FromPath[str],
        user: NamedDependency[User],
        get_server: NamedDependency[GetServer],
    ) -> Envelope[ServerView]:
        summary = await get_server(user.id, parse_id(server_id, "serverId"))
        return Envelope(server_view(summary, _public_url(request)))

    @route(
        "/{server_id:str}",
        http_method=[HttpMethod.PUT, HttpMethod.PATCH],
        summary="Update a server (PUT and PATCH alike: partial)",
        operation_class=api_operation(UpdateServerBody, (400, 401, 403, 404, 409, 429, 500)),
    )
    async def update_one(
        self,
        request: Request[Any, Any, Any],
        server_id: FromPath[str],
        user: NamedDependency[User],
        update_server: NamedDependency[UpdateServer],
    ) -> Envelope[ServerView]:
        sid = parse_id(server_id, "serverId")
        body = decode_strict(UpdateServerBody, await request.body())
        summary = await update_server(
            user,
            sid,
            UpdateServerCommand(
                name=body.name,
                slug=body.slug,
                auth_mode=body.auth_mode,
                auth_config=body.auth_config,
                base_url=body.base_url,
                rate_limit_per_minute=body.rate_limit_per_minute,
                is_active=body.is_active,
            ),
        )
        return Envelope(server_view(summary, _public_url(request)))

    @delete(
        "/{server_id:str}",
        status_code=200,
        summary="Delete a server",
        operation_class=api_operation(),
    )
    async def delete_one(
        self,
        server_id: FromPath[str],
        user: NamedDependency[User],
        delete_server: NamedDependency[DeleteServer],
    ) -> Envelope[ServerDeletedView]:
        deleted = await delete_server(user.id, parse_id(server_id, "serverId"))
        return Envelope(ServerDeletedView(deleted, True))

    @post(
        "/{server_id:str}/rotate-token",
        status_code=200,
        summary="Rotate the access token",
        operation_class=api_operation(),
    )
    async def rotate_token(
        self,
        server_id: FromPath[str],
        user: NamedDependency[User],
        rotate_server_token: NamedDependency[RotateServerToken],
    ) -> Envelope[TokenView]:
        rotated = await rotate_server_token(user.id, parse_id(server_id, "serverId"))
        return Envelope(TokenView(rotated.token, rotated.token_warning))

"""Routes of API.md §2: /api/specs."""

from __future__ import annotations

from typing import Any

from litestar import Controller, HttpMethod, Request, delete, get, post, route
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, FromQuery

from application.usecases.delete_spec import DeleteSpec
from application.usecases.import_spec import ImportSpec
from application.usecases.read_specs import GetSpec, ListSpecs
from application.usecases.spec_commands import ImportSpecCommand, UpdateSpecCommand
from application.usecases.update_spec import UpdateSpec
from domain.users import User
from entrypoints.http.dependencies import current_user, page_request, parse_id, use_case
from entrypoints.http.envelope import Envelope, PageEnvelope, PageMeta
from entrypoints.http.openapi_docs import api_operation
from entrypoints.http.spec_bodies import CreateSpecBody, UpdateSpecBody
from entrypoints.http.spec_views import (
    SpecDeletedView,
    SpecDetailView,
    SpecUpdatedView,
    SpecView,
    spec_detail_view,
    spec_updated_view,
    spec_view,
)
from entrypoints.http.strict_body import decode_strict

__all__ = ["SpecController"]

# A document fetched from sourceUrl may be unreachable: 502 UPSTREAM_ERROR (API.md §2).
_IMPORT = (400, 401, 404, 429, 500, 502)


class SpecController(Controller):
    """Import, read, update and delete OpenAPI documents."""

    path = "/api/specs"
    tags = ["specs"]
    dependencies = {
        "user": Provide(current_user, sync_to_thread=False),
        "import_spec": use_case("import_spec"),
        "list_specs": use_case("list_specs"),
        "get_spec": use_case("get_spec"),
        "update_spec": use_case("update_spec"),
        "delete_spec": use_case("delete_spec"),
    }

    @get("/", summary="List specs (newest first)", operation_class=api_operation())
    async def list_specs(
        self,
        user: NamedDependency[User],
        list_specs: NamedDependency[ListSpecs],
        page: FromQuery[int] = 1,
        limit: FromQuery[int] = 20,
    ) -> PageEnvelope[SpecView]:
        result = await list_specs(user.id, page_request(page, limit))
        return PageEnvelope(
            data=[spec_view(s) for s in result.items],
            meta=PageMeta(result.total, result.page, result.limit, result.has_more),
        )

    @post("/", summary="Import a spec", operation_class=api_operation(CreateSpecBody, _IMPORT))
    async def import_spec(
        self,
        request: Request[Any, Any, Any],
        user: NamedDependency[User],
        import_spec: NamedDependency[ImportSpec],
    ) -> Envelope[SpecView]:
        body = decode_strict(CreateSpecBody, await request.body())
        spec = await import_spec(
            user.id,
            ImportSpecCommand(
                name=body.name,
                version=body.version,
                source_url=body.source_url,
                raw_spec=body.raw_spec,
            ),
        )
        return Envelope(spec_view(spec))

    @get("/{spec_id:str}", summary="Get a spec with its document", operation_class=api_operation())
    async def get_spec(
        self,
        spec_id: FromPath[str],
        user: NamedDependency[User],
        get_spec: NamedDependency[GetSpec],
    ) -> Envelope[SpecDetailView]:
        spec = await get_spec(user.id, parse_id(spec_id, "specId"))
        return Envelope(spec_detail_view(spec))

    @route(
        "/{spec_id:str}",
        http_method=[HttpMethod.PUT, HttpMethod.PATCH],
        summary="Update a spec (PUT and PATCH alike: partial)",
        operation_class=api_operation(UpdateSpecBody, _IMPORT),
    )
    async def update(
        self,
        request: Request[Any, Any, Any],
        spec_id: FromPath[str],
        user: NamedDependency[User],
        update_spec: NamedDependency[UpdateSpec],
    ) -> Envelope[SpecUpdatedView]:
        sid = parse_id(spec_id, "specId")
        body = decode_strict(UpdateSpecBody, await request.body())
        command = UpdateSpecCommand(
            name=body.name,
            version=body.version,
            source_url=body.source_url,
            raw_spec=body.raw_spec,
            refetch=body.refetch is True,
        )
        result = await update_spec(user.id, sid, command)
        return Envelope(spec_updated_view(result.spec, result.tool_changes))

    @delete(
        "/{spec_id:str}",
        status_code=200,
        summary="Delete a spec and its servers",
        operation_class=api_operation(),
    )
    async def delete_spec(
        self,
        spec_id: FromPath[str],
        user: NamedDependency[User],
        delete_spec: NamedDependency[DeleteSpec],
    ) -> Envelope[SpecDeletedView]:
        result = await delete_spec(user.id, parse_id(spec_id, "specId"))
        return Envelope(SpecDeletedView(result.id, True, result.servers_deleted))

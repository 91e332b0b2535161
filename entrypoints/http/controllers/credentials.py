"""Routes of API.md §5: a server's credentials (write-only secrets)."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, delete, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, FromQuery

from application.usecases.create_credential import CreateCredential
from application.usecases.read_credentials import DeleteCredential, ListCredentials
from domain.users import User
from entrypoints.http.credential_bodies import CreateCredentialBody
from entrypoints.http.credential_views import (
    CredentialDeletedView,
    CredentialView,
    credential_view,
)
from entrypoints.http.dependencies import current_user, page_request, parse_id, use_case
from entrypoints.http.envelope import Envelope, PageEnvelope, PageMeta
from entrypoints.http.openapi_docs import api_operation
from entrypoints.http.strict_body import decode_strict

__all__ = ["CredentialController"]


class CredentialController(Controller):
    """Store, list and delete a server's credentials; secrets are never answered."""

    path = "/api/servers/{server_id:str}/credentials"
    tags = ["credentials"]
    dependencies = {
        "user": Provide(current_user, sync_to_thread=False),
        "create_credential": use_case("create_credential"),
        "list_credentials": use_case("list_credentials"),
        "delete_credential": use_case("delete_credential"),
    }

    @post(
        "/",
        summary="Store a credential (its secret is write-only)",
        operation_class=api_operation(CreateCredentialBody, (400, 401, 404, 429, 500)),
    )
    async def create(
        self,
        request: Request[Any, Any, Any],
        server_id: FromPath[str],
        user: NamedDependency[User],
        create_credential: NamedDependency[CreateCredential],
    ) -> Envelope[CredentialView]:
        sid = parse_id(server_id, "serverId")
        body = decode_strict(CreateCredentialBody, await request.body())
        created = await create_credential(user.id, sid, body.command())
        return Envelope(credential_view(created))

    @get("/", summary="List credentials (newest first)", operation_class=api_operation())
    async def list_all(
        self,
        server_id: FromPath[str],
        user: NamedDependency[User],
        list_credentials: NamedDependency[ListCredentials],
        page: FromQuery[int] = 1,
        limit: FromQuery[int] = 20,
    ) -> PageEnvelope[CredentialView]:
        result = await list_credentials(
            user.id, parse_id(server_id, "serverId"), page_request(page, limit)
        )
        return PageEnvelope(
            data=[credential_view(c) for c in result.items],
            meta=PageMeta(result.total, result.page, result.limit, result.has_more),
        )

    @delete(
        "/{credential_id:str}",
        status_code=200,
        summary="Delete a credential",
        operation_class=api_operation(),
    )
    async def delete_one(
        self,
        server_id: FromPath[str],
        credential_id: FromPath[str],
        user: NamedDependency[User],
        delete_credential: NamedDependency[DeleteCredential],
    ) -> Envelope[CredentialDeletedView]:
        deleted = await delete_credential(
            user.id, parse_id(server_id, "serverId"), parse_id(credential_id, "credentialId")
        )
        return Envelope(CredentialDeletedView(deleted, True))

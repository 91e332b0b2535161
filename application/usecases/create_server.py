"""CreateServer: a hosted MCP server from one of the user's specs, with its tools."""

from __future__ import annotations

import msgspec

from application.ports.clock import Clock, IdGenerator
from application.ports.outbound import BaseUrlPolicy
from application.ports.secrets import TokenGenerator
from application.ports.unit_of_work import UnitOfWorkFactory
from application.usecases.server_commands import CreateServerCommand
from application.usecases.server_rules import (
    check_base_url,
    ensure_active_server_allowed,
    normalised_auth_config,
)
from application.usecases.spec_compilation import SpecCompilation
from application.usecases.tool_sync import tool_from_definition
from domain.errors import FieldProblem, InvalidRequest, NotFound
from domain.openapi.servers import default_base_url
from domain.servers import Server, token_digest
from domain.users import User

__all__ = ["CreateServer", "ServerCreated"]

TOKEN_WARNING = "Store this token now: it is shown only once and cannot be recovered."


class ServerCreated(msgspec.Struct, frozen=True):
    """The new server, its tool counts and its access token (shown this once)."""

    server: Server
    token: str
    token_warning: str
    tool_count: int


class CreateServer:
    """Creates a server and one active tool per compiled operation, in one transaction."""

    def __init__(
        self,
        uow: UnitOfWorkFactory,
        compilation: SpecCompilation,
        url_policy: BaseUrlPolicy,
        tokens: TokenGenerator,
        clock: Clock,
        ids: IdGenerator,
    ) -> None:
        self._uow = uow
        self._compilation = compilation
        self._url_policy = url_policy
        self._tokens = tokens
        self._clock = clock
        self._ids = ids

    async def __call__(self, user: User, command: CreateServerCommand) -> ServerCreated:
        async with self._uow() as uow:
            spec = await uow.specs.get(user.id, command.spec_id)
        if spec is None:
            raise NotFound("Spec")
        base_url = command.base_url or default_base_url(spec.raw_spec, spec.source_url)
        if not base_url:
            raise InvalidRequest(
                "The spec names no absolute server URL; give a baseUrl.",
                [FieldProblem(("baseUrl",), "required: the spec has no absolute server URL")],
            )
        await check_base_url(self._url_policy, base_url)
        auth_config = normalised_auth_config(command.auth_mode, command.auth_config, spec.raw_spec)
        compiled = self._compilation.compile(spec.raw_spec)
        token = self._tokens.new_access_token()
        now = self._clock.now()
        server = Server(
            id=self._ids.new_id(),
            owner_id=user.id,
            spec_id=spec.id,
            name=command.name,
            slug=command.slug,
            endpoint_id=self._tokens.new_endpoint_id(),
            token_digest=token_digest(token),
            auth_mode=command.auth_mode,
            auth_config=auth_config,
            base_url=base_url,
            rate_limit_per_minute=command.rate_limit_per_minute,
            is_active=True,
            created_at=now,
            updated_at=now,
        )
        tools = [tool_from_definition(server, d, self._ids, now) for d in compiled.tools]
        async with self._uow() as uow:
            # The user's row is locked so that concurrent creates cannot both pass the limit.
            current = await uow.users.lock(user.id) or user
            await ensure_active_server_allowed(uow, current)
            await uow.servers.add(server)
            await uow.tools.add_many(tools)
            await uow.commit()
        return ServerCreated(server, token, TOKEN_WARNING, len(tools))

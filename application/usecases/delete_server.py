"""DeleteServer and RotateServerToken."""

from __future__ import annotations

import msgspec

from application.ports.clock import Clock
from application.ports.secrets import TokenGenerator
from application.ports.unit_of_work import UnitOfWorkFactory
from application.usecases.create_server import TOKEN_WARNING
from domain.errors import NotFound
from domain.servers import token_digest

__all__ = ["DeleteServer", "RotateServerToken", "TokenRotated"]


class DeleteServer:
    """Deletes one of the user's servers with its tools (and credentials and logs)."""

    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self._uow = uow

    async def __call__(self, owner_id: str, server_id: str) -> str:
        async with self._uow() as uow:
            if not await uow.servers.delete(owner_id, server_id):
                raise NotFound("Server")
            await uow.commit()
        return server_id


class TokenRotated(msgspec.Struct, frozen=True):
    """The new access token (shown this once)."""

    token: str
    token_warning: str


class RotateServerToken:
    """Replaces the server's access token; the old one stops working at once."""

    def __init__(self, uow: UnitOfWorkFactory, tokens: TokenGenerator, clock: Clock) -> None:
        self._uow = uow
        self._tokens = tokens
        self._clock = clock

    async def __call__(self, owner_id: str, server_id: str) -> TokenRotated:
        token = self._tokens.new_access_token()
        async with self._uow() as uow:
            server = await uow.servers.get(owner_id, server_id)
            if server is None:
                raise NotFound("Server")
            await uow.servers.update(
                msgspec.structs.replace(
                    server, token_digest=token_digest(token), updated_at=self._clock.now()
                )
            )
            await uow.commit()
        return TokenRotated(token, TOKEN_WARNING)

"""ListCredentials and DeleteCredential: a server's credentials, scoped by its owner."""

from __future__ import annotations

from application.ports.unit_of_work import UnitOfWorkFactory
from domain.credentials import Credential
from domain.errors import NotFound
from domain.pagination import Page, PageRequest

__all__ = ["DeleteCredential", "ListCredentials"]


class ListCredentials:
    """A page of a server's credentials, newest first; another user's server is not found."""

    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self._uow = uow

    async def __call__(self, owner_id: str, server_id: str, page: PageRequest) -> Page[Credential]:
        async with self._uow(read_only=True) as uow:
            if await uow.servers.get(owner_id, server_id) is None:
                raise NotFound("Server")
            return await uow.credentials.list_page(server_id, page)


class DeleteCredential:
    """Deletes one credential; tool calls stop using it at once (the server's revision rises)."""

    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self._uow = uow

    async def __call__(self, owner_id: str, server_id: str, credential_id: str) -> str:
        async with self._uow() as uow:
            if await uow.servers.get(owner_id, server_id) is None:
                raise NotFound("Server")
            if not await uow.credentials.delete(server_id, credential_id):
                raise NotFound("Credential")
            await uow.servers.touch(server_id)
            await uow.commit()
        return credential_id

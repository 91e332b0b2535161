"""DeleteSpec: the spec and every server built from it, with their tools."""

from __future__ import annotations

import msgspec

from application.ports.unit_of_work import UnitOfWorkFactory
from domain.errors import NotFound

__all__ = ["DeleteSpec", "SpecDeleted"]


class SpecDeleted(msgspec.Struct, frozen=True):
    """What was deleted."""

    id: str
    servers_deleted: int


class DeleteSpec:
    """Deletes one of the user's specs and everything built from it, in one transaction."""

    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self._uow = uow

    async def __call__(self, owner_id: str, spec_id: str) -> SpecDeleted:
        async with self._uow() as uow:
            servers = await uow.servers.list_for_spec(owner_id, spec_id)
            if not await uow.specs.delete(owner_id, spec_id):
                raise NotFound("Spec")
            await uow.commit()
        return SpecDeleted(id=spec_id, servers_deleted=len(servers))

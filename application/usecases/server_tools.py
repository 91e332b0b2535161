"""ListTools and UpdateTool: the tools of one of the user's servers."""

from __future__ import annotations

from typing import Any

import msgspec

from application.ports.clock import Clock
from application.ports.unit_of_work import UnitOfWorkFactory
from application.usecases.server_commands import UpdateToolCommand
from domain.errors import NotFound
from domain.pagination import Page, PageRequest
from domain.servers import Tool

__all__ = ["ListTools", "UpdateTool"]


class ListTools:
    """A page of a server's tools ordered by name; `active` filters."""

    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self._uow = uow

    async def __call__(
        self, owner_id: str, server_id: str, page: PageRequest, active: bool | None = None
    ) -> Page[Tool]:
        async with self._uow(read_only=True) as uow:
            if await uow.servers.get(owner_id, server_id) is None:
                raise NotFound("Server")
            return await uow.tools.list(server_id, page, active=active)


class UpdateTool:
    """Activates, deactivates, renames or re-describes a tool; its routing never changes."""

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def __call__(
        self, owner_id: str, server_id: str, tool_id: str, command: UpdateToolCommand
    ) -> Tool:
        changes: dict[str, Any] = {
            name: value
            for name in ("is_active", "name", "description")
            if not isinstance(value := getattr(command, name), msgspec.UnsetType)
        }
        async with self._uow() as uow:
            if await uow.servers.get(owner_id, server_id) is None:
                raise NotFound("Server")
            tool = await uow.tools.get(server_id, tool_id)
            if tool is None:
                raise NotFound("Tool")
            if "description" in changes:
                changes["description_overridden"] = True
            updated = msgspec.structs.replace(tool, **changes, updated_at=self._clock.now())
            await uow.tools.update(updated)
            await uow.servers.touch(server_id)
            await uow.commit()
        return updated

"""MemorySpecRepository: imported documents in the unit of work's MemoryTables."""

from __future__ import annotations

import msgspec

from adapters.persistence.memory.tables import MemoryTables, as_stored, newest_first, page_of
from domain.pagination import Page, PageRequest
from domain.specs import Spec

__all__ = ["MemorySpecRepository"]


class MemorySpecRepository:
    """Imported documents, always scoped by owner."""

    def __init__(self, tables: MemoryTables) -> None:
        self._tables = tables

    async def add(self, spec: Spec) -> None:
        self._tables.specs[spec.id] = as_stored(spec)

    async def get(self, owner_id: str, spec_id: str) -> Spec | None:
        spec = self._tables.specs.get(spec_id)
        return spec if spec is not None and spec.owner_id == owner_id else None

    async def list(self, owner_id: str, page: PageRequest) -> Page[Spec]:
        """Newest first (created_at, then id, descending); items carry `raw_spec={}`."""
        mine = newest_first(s for s in self._tables.specs.values() if s.owner_id == owner_id)
        found = page_of(mine, page)
        # The SQL adapter does not load the document for lists; neither do we pretend to.
        items = [msgspec.structs.replace(spec, raw_spec={}) for spec in found.items]
        return Page(items=items, total=found.total, page=found.page, limit=found.limit)

    async def update(self, spec: Spec) -> None:
        if await self.get(spec.owner_id, spec.id) is not None:
            self._tables.specs[spec.id] = as_stored(spec)

    async def delete(self, owner_id: str, spec_id: str) -> bool:
        """Remove the spec with its servers and their tools."""
        if await self.get(owner_id, spec_id) is None:
            return False
        del self._tables.specs[spec_id]
        self._tables.delete_servers(
            [s.id for s in self._tables.servers.values() if s.spec_id == spec_id]
        )
        return True

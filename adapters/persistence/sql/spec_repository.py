"""SqlSpecRepository: imported documents in the `specs` table, scoped by owner."""

from __future__ import annotations

from typing import Any

import msgspec
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.persistence.sql.tables import specs
from domain.openapi.warnings import CompileWarning
from domain.pagination import Page, PageRequest
from domain.specs import Spec

__all__ = ["SqlSpecRepository"]

# Every column but the raw document, which can be 10+ MB: lists never load it.
_SUMMARY_COLUMNS = [column for column in specs.c if column.name != "raw_spec"]


def _values(spec: Spec) -> dict[str, Any]:
    values = msgspec.structs.asdict(spec)
    values["warnings"] = msgspec.to_builtins(spec.warnings)
    return values


def _spec(row: sa.Row[Any]) -> Spec:
    values = row._asdict()
    values["warnings"] = tuple(msgspec.convert(values["warnings"], list[CompileWarning]))
    # List items carry no document: an empty one, the same in the memory adapter.
    values.setdefault("raw_spec", {})
    return Spec(**values)


class SqlSpecRepository:
    """Imported documents on the unit of work's connection; every query is owner-scoped."""

    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def add(self, spec: Spec) -> None:
        await self._connection.execute(sa.insert(specs).values(_values(spec)))

    async def get(self, owner_id: str, spec_id: str) -> Spec | None:
        statement = sa.select(specs).where(specs.c.owner_id == owner_id, specs.c.id == spec_id)
        row = (await self._connection.execute(statement)).first()
        return None if row is None else _spec(row)

    async def list(self, owner_id: str, page: PageRequest) -> Page[Spec]:
        """Newest first (created_at, then id, descending); items carry `raw_spec={}`."""
        mine = specs.c.owner_id == owner_id
        total = await self._connection.scalar(
            sa.select(sa.func.count()).select_from(specs).where(mine)
        )
        statement = (
            sa.select(*_SUMMARY_COLUMNS)
            .where(mine)
            .order_by(specs.c.created_at.desc(), specs.c.id.desc())
            .limit(page.limit)
            .offset(page.offset)
        )
        rows = (await self._connection.execute(statement)).all()
        return Page(
            items=[_spec(row) for row in rows], total=total or 0, page=page.page, limit=page.limit
        )

    async def update(self, spec: Spec) -> None:
        values = _values(spec)
        del values["id"], values["owner_id"]
        await self._connection.execute(
            sa.update(specs)
            .where(specs.c.id == spec.id, specs.c.owner_id == spec.owner_id)
            .values(values)
        )

    async def delete(self, owner_id: str, spec_id: str) -> bool:
        """Remove the spec; its servers and their tools go by ON DELETE CASCADE."""
        result = await self._connection.execute(
            sa.delete(specs).where(specs.c.owner_id == owner_id, specs.c.id == spec_id)
        )
        return result.rowcount > 0

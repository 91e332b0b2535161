"""Integrity errors by constraint name, and their translation into domain `Conflict`s."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from functools import cache

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.persistence.sql.tables import metadata
from domain.errors import Conflict

__all__ = ["conflicts_translated", "violated_constraint"]

# SQLite names the columns, not the constraint: "UNIQUE constraint failed: servers.owner_id,
# servers.slug". The metadata maps such a column list back to the constraint's name.
_SQLITE_UNIQUE = re.compile(r"UNIQUE constraint failed: (?P<columns>.+)$")


@cache
def _unique_constraints_by_columns() -> dict[str, str]:
    names: dict[str, str] = {}
    for table in metadata.tables.values():
        for constraint in table.constraints:
            if isinstance(constraint, sa.UniqueConstraint | sa.PrimaryKeyConstraint):
                key = ", ".join(f"{table.name}.{column.name}" for column in constraint.columns)
                names[key] = str(constraint.name)
    return names


def violated_constraint(error: IntegrityError) -> str | None:
    """The name of the constraint behind `error`, or None when it cannot be told."""
    cause: BaseException | None = error.orig
    while cause is not None:
        # asyncpg's UniqueViolationError carries the name; SQLAlchemy wraps it once or twice.
        name = getattr(cause, "constraint_name", None)
        if isinstance(name, str):
            return name
        match = _SQLITE_UNIQUE.search(str(cause))
        if match:
            return _unique_constraints_by_columns().get(match["columns"].strip())
        cause = getattr(cause, "orig", None) or cause.__cause__
    return None


@asynccontextmanager
async def conflicts_translated(
    connection: AsyncConnection, conflicts: Mapping[str, Conflict]
) -> AsyncIterator[None]:
    """Run the block in a savepoint; breaking a constraint named in `conflicts` raises its error.

    The savepoint keeps the unit of work usable after the Conflict (PostgreSQL would otherwise
    refuse every further statement of the transaction), as it is with the memory adapter.
    """
    try:
        async with connection.begin_nested():
            yield
    except IntegrityError as error:
        name = violated_constraint(error)
        if name is not None and name in conflicts:
            raise conflicts[name] from error
        raise

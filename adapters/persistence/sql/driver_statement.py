"""DriverStatement: a SQLAlchemy statement compiled once for one driver, then run on the driver.

On the tool-call path a one-row statement costs more in SQLAlchemy's execution machinery
(compiled-cache lookup, parameter and result processing, `Row` objects, and on PostgreSQL the
greenlet bridge of the async engine) than in the database. The hottest statements are compiled
here once per dialect, and their callers hand the text and plain parameters to the DB-API
driver (`sqlite3`, `asyncpg`) directly.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.engine import Dialect
from sqlalchemy.sql.compiler import SQLCompiler

__all__ = ["DriverStatement"]


@dataclass(frozen=True, slots=True)
class DriverStatement:
    """The SQL text in the driver's parameter style, and the parameter names in their order.

    `names` is empty for a named style (`sqlite3` with `:name`): pass the mapping itself.
    """

    sql: str
    names: tuple[str, ...]

    @classmethod
    def compile(cls, statement: sa.ClauseElement, dialect: Dialect) -> DriverStatement:
        """Compile `statement` for `dialect` (literal values must be bound parameters)."""
        compiled = cast(SQLCompiler, statement.compile(dialect=dialect))
        return cls(compiled.string, tuple(compiled.positiontup or ()))

    def arguments(self, parameters: Mapping[str, Any]) -> tuple[Any, ...]:
        """The positional arguments, in the statement's order."""
        return tuple(parameters[name] for name in self.names)

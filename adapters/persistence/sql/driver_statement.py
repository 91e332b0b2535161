"""DriverStatement: a SQLAlchemy statement compiled once for one driver, then run on the driver.

On the tool-call path a one-row statement costs more in SQLAlchemy's execution machinery
(compiled-cache lookup, parameter and result processing, `Row` objects, and on PostgreSQL the
greenlet bridge of the async engine) than in the database. The hottest statements are compiled
here once per dialect, and their callers hand the text and plain parameters to the DB-API
driver (`sqlite3`, `asyncpg`) directly.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Any, cast

import msgspec
import sqlalchemy as sa
from sqlalchemy.engine import Dialect
from sqlalchemy.sql.compiler import SQLCompiler

__all__ = ["DriverColumns", "DriverStatement"]


@dataclass(frozen=True, slots=True)
class DriverStatement:
    """The SQL text in the driver's parameter style, and the parameter names in their order.

    `names` is empty for a named style (`sqlite3` with `:name`): pass the mapping itself.
    """

    sql: str
    names: tuple[str, ...]
    _pick: Callable[[Mapping[str, Any]], tuple[Any, ...]] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        # itemgetter picks the values in C (a generator over the names took ~3 us per call).
        pick = itemgetter(*self.names) if self.names else (lambda _: ())
        one = len(self.names) == 1
        object.__setattr__(self, "_pick", (lambda p: (pick(p),)) if one else pick)

    @classmethod
    def compile(cls, statement: sa.ClauseElement, dialect: Dialect) -> DriverStatement:
        """Compile `statement` for `dialect` (literal values must be bound parameters)."""
        compiled = cast(SQLCompiler, statement.compile(dialect=dialect))
        return cls(compiled.string, tuple(compiled.positiontup or ()))

    def arguments(self, parameters: Mapping[str, Any]) -> tuple[Any, ...]:
        """The positional arguments, in the statement's order."""
        return self._pick(parameters)


@dataclass(frozen=True, slots=True)
class DriverColumns:
    """Turns a driver's row of selected columns into the values SQLAlchemy would return.

    Each value goes through its column type's result processor for the dialect (booleans,
    timestamps, JSON), so a row read on the driver is the same as one read through the engine.
    """

    names: tuple[str, ...]
    processors: tuple[tuple[int, Callable[[Any], Any]], ...]

    @classmethod
    def of(cls, columns: Iterable[sa.ColumnElement[Any]], dialect: Dialect) -> DriverColumns:
        """For `columns`, in the order the statement selects them."""
        names: list[str] = []
        processors: list[tuple[int, Callable[[Any], Any]]] = []
        for index, column in enumerate(columns):
            names.append(str(column.key))
            processor = column.type.dialect_impl(dialect).result_processor(dialect, None)
            if (
                processor is None
                and dialect.driver == "asyncpg"
                and isinstance(column.type, sa.JSON)
            ):
                # SQLAlchemy decodes JSON with a codec it sets on its own asyncpg connections;
                # the driver's own connections return the text.
                processor = _json_or_none
            if processor is not None:
                processors.append((index, processor))
        return cls(tuple(names), tuple(processors))

    def mapping(self, row: Sequence[Any]) -> dict[str, Any]:
        """The row as {column name: value}."""
        values = list(row)
        for index, processor in self.processors:
            values[index] = processor(values[index])
        return dict(zip(self.names, values, strict=True))


def _json_or_none(value: Any) -> Any:
    """JSON text as the engine decodes it (its json_deserializer, engine.py); SQL NULL: None."""
    return None if value is None else msgspec.json.decode(value)

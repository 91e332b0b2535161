"""SQL persistence: SQLAlchemy Core over aiosqlite or asyncpg, migrated by Alembic."""

from adapters.persistence.sql.engine import create_sql_engine
from adapters.persistence.sql.migrate import migrate
from adapters.persistence.sql.unit_of_work import SqlUnitOfWork, SqlUnitOfWorkFactory

__all__ = ["SqlUnitOfWork", "SqlUnitOfWorkFactory", "create_sql_engine", "migrate"]

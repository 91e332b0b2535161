"""`migrate`: bring a database to the newest schema, with Alembic configured in code."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, text

from adapters.persistence.sql.engine import create_sql_engine

__all__ = ["MIGRATIONS_DIRECTORY", "alembic_config", "migrate"]

MIGRATIONS_DIRECTORY = Path(__file__).with_name("migrations")

# Any constant will do: it only has to be the same in every process that migrates.
_POSTGRES_MIGRATION_LOCK = 0x5BEC_3C9


def alembic_config(connection: Connection) -> Config:
    """An Alembic config (no alembic.ini) whose env.py runs on `connection`."""
    config = Config()
    # The config is a ConfigParser: a literal "%" in the path must be doubled.
    config.set_main_option("script_location", str(MIGRATIONS_DIRECTORY).replace("%", "%%"))
    config.attributes["connection"] = connection
    return config


def _upgrade_to_head(connection: Connection) -> None:
    if connection.dialect.name == "postgresql":
        # Several workers may start at once; the lock makes the others wait, then find nothing
        # to do. SQLite needs nothing: BEGIN IMMEDIATE already serializes (see engine.py).
        connection.execute(
            text("SELECT pg_advisory_xact_lock(:key)"), {"key": _POSTGRES_MIGRATION_LOCK}
        )
    command.upgrade(alembic_config(connection), "head")


async def migrate(url: str) -> None:
    """Apply every migration up to head to the database at `url`, in one transaction."""
    engine = create_sql_engine(url)
    try:
        async with engine.begin() as connection:
            await connection.run_sync(_upgrade_to_head)
    finally:
        await engine.dispose()

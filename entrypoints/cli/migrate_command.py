"""`specmcp migrate`: apply the database migrations."""

from __future__ import annotations

import argparse
import asyncio
import sys
from typing import Any

__all__ = ["register"]


def _migrate(args: argparse.Namespace) -> int:
    from adapters.persistence.sql.migrate import migrate
    from entrypoints.config import ConfigError, Settings

    try:
        settings = Settings.from_env()
    except ConfigError as exc:
        print(f"specmcp: configuration error: {exc}", file=sys.stderr)
        return 2
    asyncio.run(migrate(settings.database_url))
    print("database is up to date")
    return 0


def register(sub: Any) -> None:
    parser = sub.add_parser("migrate", help="apply database migrations")
    parser.set_defaults(handler=_migrate)

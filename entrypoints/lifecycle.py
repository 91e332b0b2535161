"""Start-up and shutdown of a container's resources (engines, clients, key caches)."""

from __future__ import annotations

import logging
from typing import Any

from adapters.persistence.sql.migrate import migrate
from entrypoints.container import Container

__all__ = ["shutdown_container", "start_container"]

log = logging.getLogger("specmcp")


async def start_container(container: Container) -> None:
    """Migrate the embedded database when it is due, and warm the singletons."""
    settings = container.settings()
    if settings.persistence == "sql" and settings.auto_migrate:
        await migrate(settings.database_url)
    container.uow()
    container.identity()
    container.rate_limiter()


async def _close(resource: Any) -> None:
    for name in ("aclose", "dispose", "close"):
        method = getattr(resource, name, None)
        if method is not None:
            result = method()
            if hasattr(result, "__await__"):
                await result
            return


async def shutdown_container(container: Container) -> None:
    """Close what the container opened; errors are logged, never raised, so all get closed."""
    names = (
        "outbound_client",
        "identity",
        "rate_limiter",
        "payments",
        "meter_pool",
        "log_pool",
        "lookup_pool",
        "inline_sqlite",
        "engine",
    )
    for name in names:
        provider = getattr(container, name)
        try:
            await _close(provider())
        except Exception:
            log.exception("closing %s failed", name)

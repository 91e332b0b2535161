"""Metering and log adapters over one store (memory, SQLite or PostgreSQL), for contract tests."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from adapters.persistence.memory import MemoryUnitOfWorkFactory
from adapters.persistence.memory.request_log_store import MemoryRequestLogStore
from adapters.persistence.memory.usage_meter import MemoryBudgetCaps, MemoryUsageMeter
from adapters.persistence.sql import SqlUnitOfWorkFactory
from adapters.persistence.sql.budget_caps import SqlBudgetCaps
from adapters.persistence.sql.log_statistics import SqlLogStatistics
from adapters.persistence.sql.request_log_store import SqlRequestLogStore
from adapters.persistence.sql.usage_meter import SqlUsageMeter
from application.ports.unit_of_work import UnitOfWorkFactory
from domain.metering.plans import Plan, plan_named
from domain.servers import Server
from domain.specs import Spec
from domain.users import User

__all__ = ["T0", "MeteringStores", "add_account", "memory_stores", "sql_stores"]

T0 = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)


@dataclass
class MeteringStores:
    """Every metering port over one store."""

    uow: UnitOfWorkFactory
    meter: Any
    caps: Any
    logs: Any
    statistics: Any


def memory_stores(plans: Callable[[str], Plan] = plan_named) -> MeteringStores:
    uow = MemoryUnitOfWorkFactory()
    caps = MemoryBudgetCaps()
    logs = MemoryRequestLogStore(uow)
    return MeteringStores(uow, MemoryUsageMeter(uow, caps, plans), caps, logs, logs)


def sql_stores(
    engine: Any, plans: Callable[[str], Plan] = plan_named, *, inline: Any = None, pool: Any = None
) -> MeteringStores:
    """The SQL adapters on `engine`; with `inline` (SQLite) or `pool` (PostgreSQL) the meter
    and the log store take their driver paths, as `specmcp serve` does."""
    return MeteringStores(
        SqlUnitOfWorkFactory(engine),
        SqlUsageMeter(engine, plans, inline=inline, pool=pool),
        SqlBudgetCaps(engine),
        SqlRequestLogStore(engine, inline=inline, pool=pool),
        SqlLogStatistics(engine),
    )


async def add_account(
    uow: UnitOfWorkFactory,
    user_id: str,
    plan: str = "free",
    servers: int = 1,
    *,
    active: bool = True,
) -> list[str]:
    """A user with a spec and `servers` servers created one second apart; their ids."""
    ids = [f"{user_id}-srv-{i}" for i in range(servers)]
    async with uow() as work:
        await work.users.add(User(id=user_id, plan=plan, created_at=T0, updated_at=T0))
        await work.specs.add(
            Spec(
                id=f"{user_id}-spec",
                owner_id=user_id,
                name="s",
                version="1",
                source_url=None,
                openapi_version="3.1.0",
                title="t",
                operation_count=1,
                tool_count=1,
                warnings=(),
                raw_spec={},
                created_at=T0,
                updated_at=T0,
            )
        )
        for i, server_id in enumerate(ids):
            moment = T0 + timedelta(seconds=i)
            await work.servers.add(
                Server(
                    id=server_id,
                    owner_id=user_id,
                    spec_id=f"{user_id}-spec",
                    name=f"S{i}",
                    slug=f"s{i}",
                    endpoint_id=f"ep-{server_id}",
                    token_digest="ab" * 32,
                    auth_mode="none",
                    auth_config={},
                    base_url="https://api.example.com",
                    is_active=active,
                    created_at=moment,
                    updated_at=moment,
                )
            )
        await work.commit()
    return ids

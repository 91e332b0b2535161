"""MemoryTables: the rows of the memory adapter, as dicts of frozen Structs keyed by id."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol, TypeVar

import msgspec

from adapters.persistence.memory.billing_tables import BillingTables
from domain.credentials import Credential
from domain.pagination import Page, PageRequest
from domain.servers import Server, Tool
from domain.specs import Spec
from domain.users import User

__all__ = ["MemoryTables", "as_stored", "newest_first", "page_of"]


@dataclass
class MemoryTables:
    """One consistent state. Rows are immutable, so copying the dicts copies the state."""

    users: dict[str, User] = field(default_factory=dict)
    specs: dict[str, Spec] = field(default_factory=dict)
    servers: dict[str, Server] = field(default_factory=dict)
    tools: dict[str, Tool] = field(default_factory=dict)
    credentials: dict[str, Credential] = field(default_factory=dict)
    billing: BillingTables = field(default_factory=BillingTables)

    def copy(self) -> MemoryTables:
        return MemoryTables(
            dict(self.users),
            dict(self.specs),
            dict(self.servers),
            dict(self.tools),
            dict(self.credentials),
            self.billing.copy(),
        )

    def load(self, other: MemoryTables) -> None:
        """Become a copy of `other` in place (the repositories hold on to this object)."""
        fresh = other.copy()
        self.billing = fresh.billing
        self.users, self.specs, self.servers, self.tools, self.credentials = (
            fresh.users,
            fresh.specs,
            fresh.servers,
            fresh.tools,
            fresh.credentials,
        )

    def erase_user(self, user_id: str) -> None:
        """Remove the user and every row they own (what SqlUserRepository.erase does)."""
        self.users.pop(user_id, None)
        self.specs = {key: s for key, s in self.specs.items() if s.owner_id != user_id}
        self.delete_servers([s.id for s in self.servers.values() if s.owner_id == user_id])
        self.tools = {key: t for key, t in self.tools.items() if t.owner_id != user_id}
        self.credentials = {key: c for key, c in self.credentials.items() if c.owner_id != user_id}
        self.billing.erase_user(user_id)

    def delete_servers(self, server_ids: Iterable[str]) -> None:
        """Remove servers, their tools and credentials, as ON DELETE CASCADE does in SQL."""
        doomed = set(server_ids)
        for server_id in doomed:
            self.servers.pop(server_id, None)
        self.tools = {key: t for key, t in self.tools.items() if t.server_id not in doomed}
        self.credentials = {
            key: c for key, c in self.credentials.items() if c.server_id not in doomed
        }


class _Dated(Protocol):
    @property
    def id(self) -> str: ...

    @property
    def created_at(self) -> datetime: ...


D = TypeVar("D", bound=_Dated)
S = TypeVar("S", bound=msgspec.Struct)
T = TypeVar("T")


def as_stored(row: S) -> S:
    """The row as SQL would give it back: its datetimes in UTC, naive ones refused."""
    changes: dict[str, Any] = {}
    for name in row.__struct_fields__:
        value = getattr(row, name)
        if isinstance(value, datetime):
            if value.utcoffset() is None:
                raise ValueError("datetimes stored must be timezone-aware")
            changes[name] = value.astimezone(UTC)
    return msgspec.structs.replace(row, **changes)


def newest_first(rows: Iterable[D]) -> list[D]:
    """Ordered by created_at, then id, descending: the SQL adapter's order."""
    return sorted(rows, key=lambda row: (row.created_at, row.id), reverse=True)


def page_of(rows: list[T], page: PageRequest) -> Page[T]:
    """The requested page of rows that are already filtered and ordered."""
    items = rows[page.offset : page.offset + page.limit]
    return Page(items=items, total=len(rows), page=page.page, limit=page.limit)

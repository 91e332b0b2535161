"""Repositories: collections of aggregates, reached through the unit of work."""

from __future__ import annotations

from typing import Protocol

from domain.pagination import Page, PageRequest
from domain.specs import Spec
from domain.users import User

__all__ = ["SpecRepository", "UserRepository"]


class UserRepository(Protocol):
    """Accounts, by identity-provider subject."""

    async def get(self, user_id: str) -> User | None: ...

    async def add(self, user: User) -> None:
        """Insert; an existing id is left as it is (first sight may race)."""

    async def update(self, user: User) -> None: ...


class SpecRepository(Protocol):
    """Imported documents, always scoped by owner."""

    async def add(self, spec: Spec) -> None: ...

    async def get(self, owner_id: str, spec_id: str) -> Spec | None: ...

    async def list(self, owner_id: str, page: PageRequest) -> Page[Spec]:
        """Newest first (created_at, then id, descending); items carry no raw document."""

    async def update(self, spec: Spec) -> None: ...

    async def delete(self, owner_id: str, spec_id: str) -> bool:
        """Remove the spec and everything built from it; False when there was none."""

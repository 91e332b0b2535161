"""Repositories: collections of aggregates, reached through the unit of work."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from application.ports.vault import SealedSecret
from domain.credentials import Credential
from domain.pagination import Page, PageRequest
from domain.servers import Server, Tool
from domain.specs import Spec
from domain.users import User

__all__ = [
    "CredentialRepository",
    "ServerRepository",
    "SpecRepository",
    "ToolRepository",
    "UserRepository",
]


class UserRepository(Protocol):
    """Accounts, by identity-provider subject."""

    async def get(self, user_id: str) -> User | None: ...

    async def add(self, user: User) -> None:
        """Insert; an existing id is left as it is (first sight may race)."""

    async def update(self, user: User) -> None: ...

    async def lock(self, user_id: str) -> User | None:
        """Read the user and hold a write lock on it until the unit of work ends.

        Serialises a user's limit checks (active servers) across connections and processes.
        """

    async def erase(self, user_id: str) -> None:
        """Delete the user and every row any table holds for them (owner or user column).

        Tombstones are the exception: they are the memory of the deletion.
        """


class SpecRepository(Protocol):
    """Imported documents, always scoped by owner."""

    async def add(self, spec: Spec) -> None: ...

    async def get(self, owner_id: str, spec_id: str) -> Spec | None: ...

    async def list(self, owner_id: str, page: PageRequest) -> Page[Spec]:
        """Newest first (created_at, then id, descending); items carry no raw document."""

    async def update(self, spec: Spec) -> None: ...

    async def delete(self, owner_id: str, spec_id: str) -> bool:
        """Remove the spec and everything built from it; False when there was none."""


class ServerRepository(Protocol):
    """Hosted servers, scoped by owner except for the MCP endpoint's lookup."""

    async def add(self, server: Server) -> None:
        """Insert. Raises `Conflict` when the owner already has that slug."""

    async def get(self, owner_id: str, server_id: str) -> Server | None: ...

    async def get_by_endpoint(self, endpoint_id: str) -> Server | None: ...

    async def list(
        self, owner_id: str, page: PageRequest, *, spec_id: str | None = None
    ) -> Page[Server]:
        """Newest first (created_at, then id, descending)."""

    async def list_for_spec(self, owner_id: str, spec_id: str) -> Sequence[Server]:
        """Every server built from the spec, newest first."""

    async def count_active(self, owner_id: str) -> int: ...

    async def update(self, server: Server) -> None:
        """Replace by id, raising its revision. Raises `Conflict` when the new slug is taken."""

    async def touch(self, server_id: str) -> None:
        """Raise the server's revision: its tools or credentials changed."""

    async def delete(self, owner_id: str, server_id: str) -> bool:
        """Remove the server with its tools (and later credentials and logs)."""


class ToolRepository(Protocol):
    """The tools of one server."""

    async def add_many(self, tools: Sequence[Tool]) -> None:
        """Insert. Raises `Conflict` when a name is already used on that server."""

    async def get(self, server_id: str, tool_id: str) -> Tool | None: ...

    async def get_by_name(self, server_id: str, name: str) -> Tool | None: ...

    async def list(
        self, server_id: str, page: PageRequest, *, active: bool | None = None
    ) -> Page[Tool]:
        """Ordered by name, then id."""

    async def list_all(self, server_id: str, *, active: bool | None = None) -> Sequence[Tool]:
        """Every tool of the server, ordered by name."""

    async def count(self, server_id: str, *, active: bool | None = None) -> int: ...

    async def update(self, tool: Tool) -> None:
        """Replace by id. Raises `Conflict` when the new name is taken on that server."""

    async def delete_many(self, server_id: str, tool_ids: Sequence[str]) -> None: ...


class CredentialRepository(Protocol):
    """Sealed upstream credentials, scoped by server (the server is scoped by owner)."""

    async def add(self, credential: Credential) -> None: ...

    async def get(self, server_id: str, credential_id: str) -> Credential | None: ...

    async def list(self, server_id: str) -> Sequence[Credential]:
        """Every credential of the server, newest first (created_at, then id, descending)."""

    async def list_page(self, server_id: str, page: PageRequest) -> Page[Credential]:
        """One page of `list`, in the same order."""

    async def delete(self, server_id: str, credential_id: str) -> bool:
        """Remove one credential; False when the server has none with that id."""

    async def newest_usable(
        self, server_id: str, auth_type: str, now: datetime
    ) -> Credential | None:
        """The newest (created_at, then id) credential of `auth_type` not expired at `now`."""

    async def list_after(self, after_id: str | None, limit: int) -> Sequence[Credential]:
        """Every server's credentials ordered by id: the first `limit` after `after_id`.

        For maintenance jobs (key rotation) that walk the whole table in short batches.
        """

    async def update_sealed(self, credential_id: str, sealed: SealedSecret) -> bool:
        """Replace the sealed secret (key id, nonce, ciphertext); False when it is gone."""

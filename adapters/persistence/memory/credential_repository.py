"""MemoryCredentialRepository: sealed upstream credentials in the unit of work's MemoryTables."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import msgspec

from adapters.persistence.memory.tables import MemoryTables, as_stored, newest_first, page_of
from application.ports.vault import SealedSecret
from domain.credentials import Credential
from domain.pagination import Page, PageRequest

__all__ = ["MemoryCredentialRepository"]


class MemoryCredentialRepository:
    """Credentials scoped by server, in the SQL adapter's orders."""

    def __init__(self, tables: MemoryTables) -> None:
        self._tables = tables

    async def add(self, credential: Credential) -> None:
        # bytes() and tuple(): what SQL gives back, whatever buffer or sequence came in.
        self._tables.credentials[credential.id] = as_stored(
            msgspec.structs.replace(
                credential,
                nonce=bytes(credential.nonce),
                ciphertext=bytes(credential.ciphertext),
                scopes=tuple(credential.scopes),
            )
        )

    async def get(self, server_id: str, credential_id: str) -> Credential | None:
        credential = self._tables.credentials.get(credential_id)
        return credential if credential is not None and credential.server_id == server_id else None

    async def list(self, server_id: str) -> Sequence[Credential]:
        """Every credential of the server, newest first (created_at, then id, descending)."""
        return newest_first(self._of_server(server_id))

    async def list_page(self, server_id: str, page: PageRequest) -> Page[Credential]:
        """One page of `list`, in the same order."""
        return page_of(newest_first(self._of_server(server_id)), page)

    async def delete(self, server_id: str, credential_id: str) -> bool:
        if await self.get(server_id, credential_id) is None:
            return False
        del self._tables.credentials[credential_id]
        return True

    async def newest_usable(
        self, server_id: str, auth_type: str, now: datetime
    ) -> Credential | None:
        """The newest (created_at, then id) credential of `auth_type` not expired at `now`."""
        usable = (
            c for c in self._of_server(server_id) if c.auth_type == auth_type and c.usable_at(now)
        )
        return next(iter(newest_first(usable)), None)

    async def list_after(self, after_id: str | None, limit: int) -> Sequence[Credential]:
        """Every server's credentials ordered by id: the first `limit` after `after_id`."""
        ids = sorted(i for i in self._tables.credentials if after_id is None or i > after_id)
        return [self._tables.credentials[i] for i in ids[:limit]]

    async def update_sealed(self, credential_id: str, sealed: SealedSecret) -> bool:
        """Replace the sealed secret; `updated_at` stays: what the user set did not change."""
        current = self._tables.credentials.get(credential_id)
        if current is None:
            return False
        self._tables.credentials[credential_id] = msgspec.structs.replace(
            current, key_id=sealed.key_id, nonce=sealed.nonce, ciphertext=sealed.ciphertext
        )
        return True

    def _of_server(self, server_id: str) -> Sequence[Credential]:
        return [c for c in self._tables.credentials.values() if c.server_id == server_id]

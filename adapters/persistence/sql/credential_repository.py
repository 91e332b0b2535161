"""SqlCredentialRepository: sealed upstream credentials in the `credentials` table."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import msgspec
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.persistence.sql.tables import credentials
from application.ports.vault import SealedSecret
from domain.credentials import Credential
from domain.pagination import Page, PageRequest

__all__ = ["SqlCredentialRepository"]

_NEWEST_FIRST = (credentials.c.created_at.desc(), credentials.c.id.desc())


def _credential(row: sa.Row[Any]) -> Credential:
    values = row._asdict()
    # Drivers may hand back memoryview (asyncpg: bytes; others differ) and JSON lists.
    values["nonce"] = bytes(values["nonce"])
    values["ciphertext"] = bytes(values["ciphertext"])
    values["scopes"] = tuple(values["scopes"])
    return Credential(**values)


class SqlCredentialRepository:
    """Credentials on the unit of work's connection, scoped by server."""

    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def add(self, credential: Credential) -> None:
        values = msgspec.structs.asdict(credential)
        values["scopes"] = list(credential.scopes)
        await self._connection.execute(sa.insert(credentials).values(values))

    async def get(self, server_id: str, credential_id: str) -> Credential | None:
        return await self._first(
            sa.select(credentials).where(
                credentials.c.server_id == server_id, credentials.c.id == credential_id
            )
        )

    async def list(self, server_id: str) -> Sequence[Credential]:
        """Every credential of the server, newest first (created_at, then id, descending)."""
        rows = await self._connection.execute(
            sa.select(credentials)
            .where(credentials.c.server_id == server_id)
            .order_by(*_NEWEST_FIRST)
        )
        return [_credential(row) for row in rows]

    async def list_page(self, server_id: str, page: PageRequest) -> Page[Credential]:
        """One page of `list`, in the same order."""
        condition = credentials.c.server_id == server_id
        total = await self._connection.scalar(
            sa.select(sa.func.count()).select_from(credentials).where(condition)
        )
        rows = await self._connection.execute(
            sa.select(credentials)
            .where(condition)
            .order_by(*_NEWEST_FIRST)
            .limit(page.limit)
            .offset(page.offset)
        )
        items = [_credential(row) for row in rows]
        return Page(items=items, total=total or 0, page=page.page, limit=page.limit)

    async def delete(self, server_id: str, credential_id: str) -> bool:
        result = await self._connection.execute(
            sa.delete(credentials).where(
                credentials.c.server_id == server_id, credentials.c.id == credential_id
            )
        )
        return result.rowcount > 0

    async def newest_usable(
        self, server_id: str, auth_type: str, now: datetime
    ) -> Credential | None:
        """The newest (created_at, then id) credential of `auth_type` not expired at `now`."""
        return await self._first(
            sa.select(credentials)
            .where(
                credentials.c.server_id == server_id,
                credentials.c.auth_type == auth_type,
                sa.or_(credentials.c.expires_at.is_(None), credentials.c.expires_at > now),
            )
            .order_by(*_NEWEST_FIRST)
            .limit(1)
        )

    async def list_after(self, after_id: str | None, limit: int) -> Sequence[Credential]:
        """Every server's credentials ordered by id: the first `limit` after `after_id`."""
        statement = sa.select(credentials).order_by(credentials.c.id).limit(limit)
        if after_id is not None:
            statement = statement.where(credentials.c.id > after_id)
        rows = await self._connection.execute(statement)
        return [_credential(row) for row in rows]

    async def update_sealed(self, credential_id: str, sealed: SealedSecret) -> bool:
        """Replace the sealed secret; `updated_at` stays: what the user set did not change."""
        result = await self._connection.execute(
            sa.update(credentials)
            .where(credentials.c.id == credential_id)
            .values(key_id=sealed.key_id, nonce=sealed.nonce, ciphertext=sealed.ciphertext)
        )
        return result.rowcount > 0

    async def _first(self, statement: sa.Select[Any]) -> Credential | None:
        row = (await self._connection.execute(statement)).first()
        return None if row is None else _credential(row)

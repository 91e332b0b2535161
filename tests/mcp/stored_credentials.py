"""Storing credentials: through the API, or sealed straight into the store.

The direct path exists for an OAuth token endpoint on plain http (the test upstream): the API
rightly requires https there. It seals exactly as CreateCredential does.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

from domain.credentials import Credential
from entrypoints.container import Container

__all__ = ["seal_credential"]


async def seal_credential(
    container: Container, server: dict[str, Any], auth_type: str, secret: str, **extra: Any
) -> None:
    """Seal `secret` for `server` and store it (it must run on the app's loop)."""
    vault, uow_factory = container.vault(), container.uow()
    credential_id = str(uuid4())
    owner = server["owner"]
    sealed = vault.seal(secret.encode(), owner_id=owner, record_id=credential_id)
    now = datetime.now(UTC)
    credential = Credential(
        id=credential_id,
        server_id=server["id"],
        owner_id=owner,
        label="test",
        auth_type=auth_type,
        key_id=sealed.key_id,
        nonce=sealed.nonce,
        ciphertext=sealed.ciphertext,
        created_at=now,
        updated_at=now,
        **extra,
    )
    async with uow_factory() as uow:
        await uow.credentials.add(credential)
        await uow.servers.touch(server["id"])
        await uow.commit()

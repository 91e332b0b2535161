"""What the credential routes answer: never a secret, a ciphertext, a nonce or a key id."""

from __future__ import annotations

from datetime import datetime

import msgspec

from domain.credentials import Credential

__all__ = ["CredentialDeletedView", "CredentialView", "credential_view"]


class CredentialView(msgspec.Struct, frozen=True, rename="camel"):
    """A stored credential, without its secret."""

    id: str
    server_id: str
    label: str
    auth_type: str
    expires_at: datetime | None
    scopes: list[str]
    token_endpoint: str | None
    client_id: str | None
    created_at: datetime
    updated_at: datetime


class CredentialDeletedView(msgspec.Struct, frozen=True):
    """The deleted credential's id."""

    id: str
    deleted: bool


def credential_view(credential: Credential) -> CredentialView:
    # Field by field on purpose: a field added to Credential is never answered by accident.
    return CredentialView(
        id=credential.id,
        server_id=credential.server_id,
        label=credential.label,
        auth_type=credential.auth_type,
        expires_at=credential.expires_at,
        scopes=list(credential.scopes),
        token_endpoint=credential.token_endpoint,
        client_id=credential.client_id,
        created_at=credential.created_at,
        updated_at=credential.updated_at,
    )

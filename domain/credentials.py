"""Credentials: an upstream API's secret for one server, sealed at rest."""

from __future__ import annotations

from datetime import datetime

import msgspec

__all__ = ["CREDENTIAL_TYPES", "Credential"]

CREDENTIAL_TYPES = ("api_key", "bearer", "basic", "oauth2_client_creds")


class Credential(msgspec.Struct, frozen=True, kw_only=True):
    """A stored credential. The secret is only ever held sealed (see SecretVault).

    For `oauth2_client_creds` the sealed secret is the client secret; `client_id` and
    `token_endpoint` say where to exchange it for an access token.
    """

    id: str
    server_id: str
    owner_id: str
    label: str
    auth_type: str
    key_id: str
    nonce: bytes
    ciphertext: bytes
    expires_at: datetime | None = None
    scopes: tuple[str, ...] = ()
    token_endpoint: str | None = None
    client_id: str | None = None
    created_at: datetime
    updated_at: datetime

    def usable_at(self, moment: datetime) -> bool:
        """Not expired at `moment`."""
        return self.expires_at is None or self.expires_at > moment

"""The request body of `POST /api/servers/{serverId}/credentials` (API.md §5)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import msgspec

from application.usecases.credential_rules import CreateCredentialCommand, credential_problems
from domain.errors import FieldProblem

__all__ = ["CreateCredentialBody"]

Label = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
SecretText = Annotated[str, msgspec.Meta(min_length=1, max_length=10_000)]
ClientId = Annotated[str, msgspec.Meta(min_length=1, max_length=1000)]
Url = Annotated[str, msgspec.Meta(min_length=1, max_length=2000)]
Scope = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
Scopes = Annotated[list[Scope], msgspec.Meta(max_length=50)]
AwareTime = Annotated[datetime, msgspec.Meta(tz=True)]
# A pattern, not a Literal: msgspec's enum error quotes the value given, and a client that
# mixed up its fields could have put a secret there. The pattern error quotes only the pattern.
CredentialType = Annotated[
    str, msgspec.Meta(pattern=r"^(api_key|bearer|basic|oauth2_client_creds)$")
]


class CreateCredentialBody(msgspec.Struct, rename="camel", forbid_unknown_fields=True):
    """A new credential; the secrets are write-only (never answered, logged or echoed).

    `expiresAt` must lie in the future. For `oauth2_client_creds` the client secret is sealed
    and `plaintextKey` is optional and unused; the OAuth2 fields are refused on other types.
    """

    label: Label
    auth_type: CredentialType
    plaintext_key: SecretText | None = None
    expires_at: AwareTime | None = None
    client_id: ClientId | None = None
    client_secret: SecretText | None = None
    token_endpoint: Url | None = None
    scopes: Scopes | None = None

    def __repr__(self) -> str:
        # Secrets stay out of reprs, and so out of tracebacks and debug logs.
        return f"CreateCredentialBody(label={self.label!r}, auth_type={self.auth_type!r})"

    @staticmethod
    def check_fields(fields: dict[str, Any]) -> list[FieldProblem]:
        """The per-type rules, on the fields that passed their own checks."""
        auth_type = fields.get("authType")
        if not isinstance(auth_type, str):
            return []  # already reported as missing or invalid
        return credential_problems(
            auth_type,
            plaintext_key=fields.get("plaintextKey"),
            client_id=fields.get("clientId"),
            client_secret=fields.get("clientSecret"),
            token_endpoint=fields.get("tokenEndpoint"),
            scopes_given=bool(fields.get("scopes")),
        )

    def command(self) -> CreateCredentialCommand:
        """The use case's input."""
        return CreateCredentialCommand(
            label=self.label,
            auth_type=self.auth_type,
            plaintext_key=self.plaintext_key,
            expires_at=self.expires_at,
            client_id=self.client_id,
            client_secret=self.client_secret,
            token_endpoint=self.token_endpoint,
            scopes=tuple(self.scopes or ()),
        )

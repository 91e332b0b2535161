"""The input of CreateCredential and its per-type rules (API.md §5).

No message here ever quotes a value: the values are secrets or sit next to them.
"""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlsplit

import msgspec

from domain.credentials import CREDENTIAL_TYPES
from domain.errors import FieldProblem
from domain.values import HttpUrl

__all__ = ["CreateCredentialCommand", "credential_problems", "expiry_problems"]

_OAUTH2 = "oauth2_client_creds"
_OAUTH2_ONLY = ("clientId", "clientSecret", "tokenEndpoint", "scopes")


class CreateCredentialCommand(msgspec.Struct, frozen=True, kw_only=True):
    """A new credential, shape-checked at the edge; the secrets are still plaintext here."""

    label: str
    auth_type: str
    plaintext_key: str | None = None
    expires_at: datetime | None = None
    client_id: str | None = None
    client_secret: str | None = None
    token_endpoint: str | None = None
    scopes: tuple[str, ...] = ()

    def __repr__(self) -> str:
        # Secrets stay out of reprs, and so out of tracebacks and debug logs.
        return f"CreateCredentialCommand(label={self.label!r}, auth_type={self.auth_type!r})"

    @property
    def secret(self) -> str:
        """What is sealed: the client secret for OAuth2, else the plaintext key."""
        chosen = self.client_secret if self.auth_type == _OAUTH2 else self.plaintext_key
        return chosen or ""


def credential_problems(
    auth_type: str,
    *,
    plaintext_key: str | None,
    client_id: str | None,
    client_secret: str | None,
    token_endpoint: str | None,
    scopes_given: bool,
) -> list[FieldProblem]:
    """The fields that break the rules of `auth_type`, each named once."""
    if auth_type not in CREDENTIAL_TYPES:
        return [FieldProblem(("authType",), f"must be one of {', '.join(CREDENTIAL_TYPES)}")]
    if auth_type == _OAUTH2:
        # plaintextKey may be given but is not used: the client secret is what gets sealed.
        problems = [
            FieldProblem((name,), f"required for {_OAUTH2}")
            for name, value in (("clientId", client_id), ("clientSecret", client_secret))
            if not value
        ]
        endpoint_problem = _token_endpoint_problem(token_endpoint)
        if endpoint_problem is not None:
            problems.append(FieldProblem(("tokenEndpoint",), endpoint_problem))
        return problems
    given = {
        "clientId": client_id is not None,
        "clientSecret": client_secret is not None,
        "tokenEndpoint": token_endpoint is not None,
        "scopes": scopes_given,
    }
    problems = [
        FieldProblem((name,), f"only used with {_OAUTH2}") for name in _OAUTH2_ONLY if given[name]
    ]
    if not plaintext_key:
        problems.append(FieldProblem(("plaintextKey",), f"required for {auth_type}"))
    elif auth_type == "basic" and not _is_user_password(plaintext_key):
        problems.append(
            FieldProblem(("plaintextKey",), "must be user:password (a user name, then a colon)")
        )
    return problems


def _is_user_password(text: str) -> bool:
    # The password may be empty (HTTP Basic allows it); the user name may not.
    user, colon, _ = text.partition(":")
    return bool(colon and user)


def expiry_problems(expires_at: datetime | None, now: datetime) -> list[FieldProblem]:
    """An expiry must carry a time zone and lie in the future (a past one is refused)."""
    if expires_at is None:
        return []
    if expires_at.utcoffset() is None:
        return [FieldProblem(("expiresAt",), "must be an RFC 3339 time with a time zone")]
    if expires_at <= now:
        return [FieldProblem(("expiresAt",), "must be in the future")]
    return []


def _token_endpoint_problem(url: str | None) -> str | None:
    if not url:
        return f"required for {_OAUTH2}"
    try:
        HttpUrl(url)
    except ValueError as exc:
        return str(exc)
    if urlsplit(url).scheme != "https":
        return "must be an https URL"
    return None

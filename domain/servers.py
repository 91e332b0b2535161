"""Servers and tools: a hosted MCP server built from a spec, and its tools."""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime
from typing import Any

import msgspec

__all__ = ["AUTH_MODES", "Server", "Tool", "token_digest", "tokens_match"]

AUTH_MODES = ("none", "api_key", "bearer", "basic", "oauth2_client_creds")


class Server(msgspec.Struct, frozen=True, kw_only=True):
    """A hosted MCP server. Only the SHA-256 digest of its access token is kept.

    `revision` goes up with every change to the server, its tools or its credentials, so a
    per-process cache keyed by it is never stale, across workers and instances alike.
    """

    id: str
    owner_id: str
    spec_id: str
    name: str
    slug: str
    endpoint_id: str
    token_digest: str
    auth_mode: str
    auth_config: dict[str, Any]
    base_url: str
    rate_limit_per_minute: int = 100
    is_active: bool = True
    revision: int = 0
    created_at: datetime
    updated_at: datetime


class Tool(msgspec.Struct, frozen=True, kw_only=True):
    """One operation of the spec, exposed as an MCP tool of one server.

    `source_name` is the compiler's name: re-compiling matches tools by it, so a tool that the
    user renamed keeps its id, overrides and `is_active`; `description_overridden` says the
    description is the user's, kept when the document changes. `routing` is the compiler's routing
    record as plain JSON.
    """

    id: str
    server_id: str
    owner_id: str
    name: str
    source_name: str
    description: str
    description_overridden: bool = False
    input_schema: dict[str, Any]
    output_schema: dict[str, Any] | None
    annotations: dict[str, Any]
    method: str
    path: str
    routing: dict[str, Any]
    is_active: bool = True
    created_at: datetime
    updated_at: datetime


def token_digest(token: str) -> str:
    """The SHA-256 hex digest kept in place of a server access token.

    Tokens carry 256 random bits, so a fast hash is enough: no password-style KDF per call.
    """
    return hashlib.sha256(token.encode()).hexdigest()


def tokens_match(token: str, digest: str) -> bool:
    """Constant-time comparison of a presented token with a stored digest."""
    return hmac.compare_digest(token_digest(token), digest)

"""One spec served as a local MCP server (`specmcp run`): in memory, no database.

The user, spec, server and credential are created through the same use cases as the hosted
service, so a local run behaves exactly like the hosted endpoint it previews.
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any

import msgspec

from adapters.identity.dev_identity_verifier import mint_dev_token
from application.usecases.create_credential import CreateCredential
from application.usecases.credential_rules import CreateCredentialCommand
from application.usecases.endpoint_catalog import EndpointSnapshot
from application.usecases.server_commands import CreateServerCommand
from application.usecases.spec_commands import ImportSpecCommand
from entrypoints.config import Settings
from entrypoints.container import Container, build_container

__all__ = ["LocalEndpoint", "LocalServerOptions", "local_container", "provision_local_endpoint"]

LOCAL_USER = "local"


class LocalServerOptions(msgspec.Struct, frozen=True, kw_only=True):
    """What `specmcp run` was asked to serve. Secrets stay out of the repr."""

    raw_spec: str | None = None
    spec_url: str | None = None
    base_url: str
    auth_mode: str = "none"
    auth_config: dict[str, Any] | None = None
    credential: CreateCredentialCommand | None = None
    rate_limit_per_minute: int = 10_000


class LocalEndpoint(msgspec.Struct, frozen=True):
    """The served endpoint: its id, its access token (for --http) and its snapshot."""

    endpoint_id: str
    token: str
    snapshot: EndpointSnapshot


class _FixedTokenGenerator:
    # Lets a user pin the --http access token (SPECMCP_RUN_TOKEN) for their client config.
    def __init__(self, token: str | None) -> None:
        self._token = token

    def new_access_token(self) -> str:
        return self._token or "smcp_" + secrets.token_urlsafe(32)

    def new_endpoint_id(self) -> str:
        return secrets.token_urlsafe(16)


def local_container(
    allow_cidrs: tuple[str, ...], public_url: str, token: str | None = None
) -> Container:
    """A memory-only container (memory persistence and vault, dev identity)."""
    settings = Settings(
        persistence="memory",
        identity="dev",
        auto_migrate=False,
        public_url=public_url,
        dev_token_secret=secrets.token_urlsafe(48),
        outbound_allow_cidrs=allow_cidrs,
        # One local user on one machine: nothing to meter or bill.
        metering=False,
    )
    return build_container(settings, tokens=_FixedTokenGenerator(token))


async def provision_local_endpoint(
    container: Container, options: LocalServerOptions
) -> LocalEndpoint:
    """Create the local user, the spec, the server and its credential; return the endpoint."""
    settings = container.settings()
    assert settings.dev_token_secret is not None
    login = mint_dev_token(LOCAL_USER, settings.dev_token_secret, timedelta(minutes=5))
    user = await container.authenticate_user()(login)
    spec = await container.import_spec()(
        user.id,
        ImportSpecCommand(name="local", raw_spec=options.raw_spec, source_url=options.spec_url),
    )
    created = await container.create_server()(
        user,
        CreateServerCommand(
            spec_id=spec.id,
            name=spec.title or spec.name,
            slug="local",
            auth_mode=options.auth_mode,
            auth_config=options.auth_config,
            base_url=options.base_url,
            rate_limit_per_minute=options.rate_limit_per_minute,
        ),
    )
    if options.credential is not None:
        store = CreateCredential(
            container.uow(), container.vault(), container.clock(), container.ids()
        )
        await store(user.id, created.server.id, options.credential)
    snapshot = await container.endpoint_catalog().resolve(created.server.endpoint_id)
    assert snapshot is not None
    return LocalEndpoint(created.server.endpoint_id, created.token, snapshot)

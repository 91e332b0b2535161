"""The composition root: one container, adapters chosen by configuration."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from dependency_injector import containers, providers

from adapters.documents.json_yaml_decoder import JsonYamlDocumentDecoder
from adapters.identity.clerk_identity_verifier import ClerkIdentityVerifier
from adapters.identity.dev_identity_verifier import DevIdentityVerifier
from adapters.outbound.document_fetcher import GuardedDocumentFetcher
from adapters.outbound.guarded_client import build_guarded_client
from adapters.outbound.guarded_outbound_http import GuardedOutboundHttp
from adapters.outbound.oauth_token_source import GuardedOAuthTokenSource
from adapters.outbound.url_policy import GuardedBaseUrlPolicy
from adapters.persistence.memory.unit_of_work import MemoryUnitOfWorkFactory
from adapters.persistence.sql.engine import create_sql_engine
from adapters.persistence.sql.health_probe import SqlHealthProbe
from adapters.persistence.sql.unit_of_work import SqlUnitOfWorkFactory
from adapters.ratelimit.memory_rate_limiter import MemoryRateLimiter
from adapters.ratelimit.redis_rate_limiter import RedisRateLimiter
from adapters.system.id_generators import Uuid4Generator
from adapters.system.system_clock import SystemClock
from adapters.system.token_generators import SecretsTokenGenerator
from adapters.validation.jsonschema_argument_validator import JsonSchemaArgumentValidator
from adapters.vault.aesgcm_keyring_vault import AesGcmKeyringVault
from adapters.vault.keyring_config import load_or_create_local_keyring, parse_keyring
from adapters.vault.memory_vault import MemoryVault
from application.usecases.authenticate_user import AuthenticateUser
from application.usecases.call_tool import CallTool
from application.usecases.create_credential import CreateCredential
from application.usecases.create_server import CreateServer
from application.usecases.delete_server import DeleteServer, RotateServerToken
from application.usecases.delete_spec import DeleteSpec
from application.usecases.endpoint_catalog import EndpointCatalog
from application.usecases.import_spec import ImportSpec
from application.usecases.read_credentials import DeleteCredential, ListCredentials
from application.usecases.read_servers import GetServer, ListServers
from application.usecases.read_specs import GetSpec, ListSpecs
from application.usecases.rotate_vault_keys import RotateVaultKeys
from application.usecases.run_tool_call import RunToolCall
from application.usecases.server_tools import ListTools, UpdateTool
from application.usecases.spec_compilation import SpecCompilation
from application.usecases.spec_documents import SpecDocumentLoader
from application.usecases.test_tool_call import TestToolCall
from application.usecases.update_server import UpdateServer
from application.usecases.update_spec import UpdateSpec
from entrypoints.config import Settings
from entrypoints.local_secrets import load_or_create_secret

__all__ = ["Container", "build_container", "dev_token_secret"]


def _clerk_verifier(settings: Settings, clock: Any) -> ClerkIdentityVerifier:
    common: dict[str, Any] = {
        "issuer": settings.clerk_issuer,
        "authorized_parties": settings.clerk_authorized_parties,
        "clock": clock,
    }
    if settings.clerk_jwt_key:
        return ClerkIdentityVerifier.from_pem(settings.clerk_jwt_key, **common)
    assert settings.clerk_jwks_url
    return ClerkIdentityVerifier.from_jwks_url(settings.clerk_jwks_url, **common)


def dev_token_secret(settings: Settings) -> str:
    return settings.dev_token_secret or load_or_create_secret(
        settings.state_dir(), ".specmcp-dev-token-secret"
    )


def _vault(settings: Settings) -> AesGcmKeyringVault | MemoryVault:
    if settings.vault_keys:
        return AesGcmKeyringVault(parse_keyring(settings.vault_keys))
    if settings.persistence == "memory":
        return MemoryVault()
    # The embedded default keeps a generated key beside its SQLite file (API.md §13).
    return AesGcmKeyringVault(parse_keyring(load_or_create_local_keyring(settings.state_dir())))


def _readiness(persistence: str, probe: Any) -> Callable[[], Awaitable[dict[str, str]]]:
    async def check() -> dict[str, str]:
        if persistence == "memory":
            return {"database": "ok"}
        return {"database": await probe.check()}

    return check


class Container(containers.DeclarativeContainer):
    """Every adapter and use case of one process; build it with `build_container`."""

    config = providers.Configuration(strict=True)
    settings = providers.Dependency(instance_of=Settings)

    clock = providers.Singleton(SystemClock)
    ids = providers.Singleton(Uuid4Generator)
    tokens = providers.Singleton(SecretsTokenGenerator)

    engine = providers.Singleton(create_sql_engine, config.database_url)
    uow = providers.Selector(
        config.persistence,
        sql=providers.Singleton(SqlUnitOfWorkFactory, engine),
        memory=providers.Singleton(MemoryUnitOfWorkFactory),
    )
    health_probe = providers.Singleton(SqlHealthProbe, engine)
    readiness = providers.Singleton(_readiness, config.persistence, health_probe)

    identity = providers.Selector(
        config.identity,
        clerk=providers.Singleton(_clerk_verifier, settings, clock),
        dev=providers.Singleton(
            DevIdentityVerifier, providers.Callable(dev_token_secret, settings), clock=clock
        ),
    )
    rate_limiter = providers.Selector(
        config.ratelimit,
        memory=providers.Singleton(MemoryRateLimiter),
        redis=providers.Singleton(RedisRateLimiter.from_url, config.redis_url),
    )

    outbound_client = providers.Singleton(build_guarded_client, config.outbound_allow_cidrs)
    document_fetcher = providers.Singleton(GuardedDocumentFetcher, outbound_client)
    url_policy = providers.Singleton(GuardedBaseUrlPolicy, config.outbound_allow_cidrs)
    document_decoder = providers.Singleton(JsonYamlDocumentDecoder)
    document_loader = providers.Singleton(SpecDocumentLoader, document_decoder, document_fetcher)
    compilation = providers.Singleton(SpecCompilation, config.description_limit)
    vault = providers.Singleton(_vault, settings)
    argument_validator = providers.Singleton(JsonSchemaArgumentValidator)
    outbound_http = providers.Singleton(GuardedOutboundHttp, outbound_client)
    oauth_tokens = providers.Singleton(GuardedOAuthTokenSource, outbound_client)

    authenticate_user = providers.Singleton(AuthenticateUser, identity, uow, clock)
    import_spec = providers.Singleton(ImportSpec, uow, document_loader, compilation, clock, ids)
    list_specs = providers.Singleton(ListSpecs, uow)
    get_spec = providers.Singleton(GetSpec, uow)
    update_spec = providers.Singleton(UpdateSpec, uow, document_loader, compilation, clock, ids)
    delete_spec = providers.Singleton(DeleteSpec, uow)

    create_server = providers.Singleton(
        CreateServer, uow, compilation, url_policy, tokens, clock, ids
    )
    list_servers = providers.Singleton(ListServers, uow)
    get_server = providers.Singleton(GetServer, uow)
    update_server = providers.Singleton(UpdateServer, uow, url_policy, clock)
    delete_server = providers.Singleton(DeleteServer, uow)
    rotate_server_token = providers.Singleton(RotateServerToken, uow, tokens, clock)
    list_tools = providers.Singleton(ListTools, uow)
    update_tool = providers.Singleton(UpdateTool, uow, clock)

    create_credential = providers.Singleton(CreateCredential, uow, vault, clock, ids)
    list_credentials = providers.Singleton(ListCredentials, uow)
    delete_credential = providers.Singleton(DeleteCredential, uow)
    rotate_vault_keys = providers.Factory(RotateVaultKeys, uow, vault)

    endpoint_catalog = providers.Singleton(EndpointCatalog, uow)
    call_tool = providers.Singleton(
        CallTool, argument_validator, vault, outbound_http, oauth_tokens, clock
    )
    run_tool_call = providers.Singleton(RunToolCall, call_tool)
    test_tool_call = providers.Singleton(TestToolCall, uow, endpoint_catalog, run_tool_call)


def build_container(settings: Settings | None = None, **overrides: Any) -> Container:
    """The container for `settings` (from the environment when None).

    `overrides` replace providers by name (tests: `clock=FixedClock(...)`).
    """
    settings = settings or Settings.from_env()
    container = Container()
    container.settings.override(providers.Object(settings))
    raw = {
        "database_url": settings.database_url,
        "persistence": settings.persistence,
        "identity": settings.identity,
        "ratelimit": settings.ratelimit,
        "redis_url": settings.redis_url,
        "outbound_allow_cidrs": list(settings.outbound_allow_cidrs),
        "description_limit": settings.description_limit,
    }
    container.config.from_dict(raw)
    for name, value in overrides.items():
        getattr(container, name).override(providers.Object(value))
    return container

"""The composition root: one container, adapters chosen by configuration."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from dependency_injector import containers, providers

from adapters.coordination.file_job_lease import FileJobLease
from adapters.coordination.memory_job_lease import MemoryJobLease
from adapters.coordination.postgres_job_lease import PostgresJobLease
from adapters.documents.json_yaml_decoder import JsonYamlDocumentDecoder
from adapters.identity.clerk_identity_verifier import ClerkIdentityVerifier
from adapters.identity.dev_identity_verifier import DevIdentityVerifier
from adapters.identity.svix_clerk_event_verifier import SvixClerkEventVerifier
from adapters.logs.batching_log_sink import BatchingLogSink
from adapters.outbound.document_fetcher import GuardedDocumentFetcher
from adapters.outbound.guarded_client import build_guarded_client
from adapters.outbound.guarded_outbound_http import GuardedOutboundHttp
from adapters.outbound.oauth_token_source import GuardedOAuthTokenSource
from adapters.outbound.url_policy import GuardedBaseUrlPolicy
from adapters.payments.fake_payment_gateway import FAKE_PRICES, FakePaymentGateway
from adapters.payments.stripe_event_verifier import StripeEventVerifier
from adapters.payments.stripe_payment_gateway import StripePaymentGateway
from adapters.persistence.memory.request_log_store import MemoryRequestLogStore
from adapters.persistence.memory.unit_of_work import MemoryUnitOfWorkFactory
from adapters.persistence.memory.usage_meter import MemoryBudgetCaps, MemoryUsageMeter
from adapters.persistence.sql.budget_caps import SqlBudgetCaps
from adapters.persistence.sql.endpoint_directory import SqlEndpointDirectory
from adapters.persistence.sql.engine import create_sql_engine
from adapters.persistence.sql.health_probe import SqlHealthProbe
from adapters.persistence.sql.inline_sqlite import InlineSqlite
from adapters.persistence.sql.log_statistics import SqlLogStatistics
from adapters.persistence.sql.postgres_driver_pool import PostgresDriverPool
from adapters.persistence.sql.request_log_store import SqlRequestLogStore
from adapters.persistence.sql.unit_of_work import SqlUnitOfWorkFactory
from adapters.persistence.sql.usage_meter import SqlUsageMeter
from adapters.ratelimit.memory_rate_limiter import MemoryRateLimiter
from adapters.ratelimit.redis_rate_limiter import RedisRateLimiter
from adapters.system.id_generators import Uuid4Generator, Uuid7Generator
from adapters.system.system_clock import SystemClock
from adapters.system.token_generators import SecretsTokenGenerator
from adapters.telemetry.prometheus_metrics import PrometheusMetrics
from adapters.validation.jsonschema_argument_validator import JsonSchemaArgumentValidator
from adapters.vault.aesgcm_keyring_vault import AesGcmKeyringVault
from adapters.vault.keyring_config import load_or_create_local_keyring, parse_keyring
from adapters.vault.memory_vault import MemoryVault
from application.usecases.apply_identity_event import ApplyIdentityEvent
from application.usecases.apply_payment_event import ApplyPaymentEvent
from application.usecases.authenticate_user import AuthenticateUser
from application.usecases.billing_sessions import (
    BillingReturnUrls,
    OpenBillingPortal,
    StartCheckout,
)
from application.usecases.budget_cap import GetBudgetCap, SetBudgetCap
from application.usecases.call_metering import CallMetering
from application.usecases.call_tool import CallTool
from application.usecases.create_credential import CreateCredential
from application.usecases.create_server import CreateServer
from application.usecases.delete_server import DeleteServer, RotateServerToken
from application.usecases.delete_spec import DeleteSpec
from application.usecases.deliver_billing_outbox import DeliverBillingOutbox
from application.usecases.endpoint_catalog import EndpointCatalog
from application.usecases.import_spec import ImportSpec
from application.usecases.list_logs import ListLogs
from application.usecases.purge_expired_logs import PurgeExpiredLogs
from application.usecases.read_credentials import DeleteCredential, ListCredentials
from application.usecases.read_servers import GetServer, ListServers
from application.usecases.read_specs import GetSpec, ListSpecs
from application.usecases.report_overage import ReportOverage
from application.usecases.rotate_vault_keys import RotateVaultKeys
from application.usecases.run_tool_call import RunToolCall
from application.usecases.server_tools import ListTools, UpdateTool
from application.usecases.spec_compilation import SpecCompilation
from application.usecases.spec_documents import SpecDocumentLoader
from application.usecases.test_tool_call import TestToolCall
from application.usecases.update_server import UpdateServer
from application.usecases.update_spec import UpdateSpec
from application.usecases.usage_report import GetUsage
from domain.billing.plan_prices import PlanPrices
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


async def _redis_check(limiter: Any) -> str:
    try:
        async with asyncio.timeout(2.0):
            await limiter.ping()
    except TimeoutError:
        return "timeout"
    except Exception as exc:
        return f"unavailable ({type(exc).__name__})"
    return "ok"


def _readiness(
    settings: Settings, probe: Any, limiter: Any
) -> Callable[[], Awaitable[dict[str, str]]]:
    async def check() -> dict[str, str]:
        checks = {"database": "ok" if settings.persistence == "memory" else await probe.check()}
        if settings.ratelimit == "redis":
            checks["redis"] = await _redis_check(limiter)
        return checks

    return check


def _job_lease_kind(settings: Settings) -> str:
    if settings.is_postgres:
        return "postgres"
    if settings.is_embedded_sqlite and _sqlite_path(settings) is not None:
        return "file"
    return "memory"


def _sqlite_path(settings: Settings) -> Path | None:
    path = settings.database_url.split(":///", 1)[1]
    return None if not path or path == ":memory:" else Path(path).expanduser().resolve()


def _file_job_lease(settings: Settings) -> FileJobLease:
    # Beside the database file: the workers sharing the file share the claims.
    path = _sqlite_path(settings)
    assert path is not None, "chosen only for a file database"
    return FileJobLease(path.with_name(path.name + ".jobs"))


def _plan_prices(settings: Settings) -> PlanPrices:
    configured = {
        plan: price
        for plan, price in (
            ("starter", settings.stripe_price_starter),
            ("pro", settings.stripe_price_pro),
        )
        if price
    }
    if settings.payments == "fake" and not configured:
        return FAKE_PRICES
    return PlanPrices(configured)


def _stripe_gateway(settings: Settings, prices: PlanPrices) -> StripePaymentGateway:
    assert settings.stripe_secret_key, "checked by Settings.from_env"
    return StripePaymentGateway(
        settings.stripe_secret_key,
        prices,
        settings.stripe_meter_event,
        api_base=settings.stripe_api_base,
    )


def _stripe_events(settings: Settings) -> StripeEventVerifier | None:
    # None: the webhook answers 503 (no secret, nothing can be verified).
    secret = settings.stripe_webhook_secret
    return StripeEventVerifier(secret) if secret else None


def _clerk_events(settings: Settings) -> SvixClerkEventVerifier | None:
    secret = settings.clerk_webhook_secret
    return SvixClerkEventVerifier(secret) if secret else None


def _billing_urls(settings: Settings) -> BillingReturnUrls:
    public = settings.public_url
    return BillingReturnUrls(
        success=f"{public}/billing/done?session_id={{CHECKOUT_SESSION_ID}}",
        cancel=f"{public}/billing/canceled",
        portal_return=f"{public}/billing/done",
    )


class Container(containers.DeclarativeContainer):
    """Every adapter and use case of one process; build it with `build_container`."""

    config = providers.Configuration(strict=True)
    settings = providers.Dependency(instance_of=Settings)

    clock = providers.Singleton(SystemClock)
    ids = providers.Singleton(Uuid4Generator)
    tokens = providers.Singleton(SecretsTokenGenerator)

    engine = providers.Singleton(create_sql_engine, config.database_url)
    inline_sqlite = providers.Selector(
        config.persistence,
        sql=providers.Singleton(InlineSqlite.for_url, config.database_url),
        memory=providers.Object(None),
    )
    uow = providers.Selector(
        config.persistence,
        sql=providers.Singleton(SqlUnitOfWorkFactory, engine),
        memory=providers.Singleton(MemoryUnitOfWorkFactory),
    )
    health_probe = providers.Singleton(SqlHealthProbe, engine)
    job_lease = providers.Selector(
        config.job_lease,
        postgres=providers.Singleton(PostgresJobLease, engine),
        file=providers.Singleton(_file_job_lease, settings),
        memory=providers.Singleton(MemoryJobLease),
    )
    metrics = providers.Singleton(PrometheusMetrics)

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
    readiness = providers.Singleton(_readiness, settings, health_probe, rate_limiter)

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

    # The per-call endpoint lookups' own connections on PostgreSQL (reads: the commit setting
    # does not matter).
    lookup_pool = providers.Selector(
        config.persistence,
        sql=providers.Singleton(PostgresDriverPool.for_url, config.database_url),
        memory=providers.Object(None),
    )
    endpoint_directory = providers.Selector(
        config.persistence,
        sql=providers.Singleton(SqlEndpointDirectory, engine, inline_sqlite, lookup_pool),
        memory=providers.Object(None),
    )
    endpoint_catalog = providers.Singleton(EndpointCatalog, uow, directory=endpoint_directory)
    call_tool = providers.Singleton(
        CallTool, argument_validator, vault, outbound_http, oauth_tokens, clock
    )
    budget_caps = providers.Selector(
        config.persistence,
        sql=providers.Singleton(SqlBudgetCaps, engine),
        memory=providers.Singleton(MemoryBudgetCaps),
    )
    meter_pool = providers.Selector(
        config.persistence,
        sql=providers.Singleton(
            PostgresDriverPool.for_url,
            config.database_url,
            durable_commit=config.meter_durable_commit,
        ),
        memory=providers.Object(None),
    )
    # The log batches' own connection (one writer at a time); commits as the server says.
    log_pool = providers.Selector(
        config.persistence,
        sql=providers.Singleton(
            PostgresDriverPool.for_url, config.database_url, durable_commit=True, size=1
        ),
        memory=providers.Object(None),
    )
    usage_meter = providers.Selector(
        config.persistence,
        sql=providers.Singleton(SqlUsageMeter, engine, inline=inline_sqlite, pool=meter_pool),
        memory=providers.Singleton(MemoryUsageMeter, uow, budget_caps),
    )
    request_log_store = providers.Selector(
        config.persistence,
        sql=providers.Singleton(SqlRequestLogStore, engine, inline=inline_sqlite, pool=log_pool),
        memory=providers.Singleton(MemoryRequestLogStore, uow),
    )
    log_statistics = providers.Selector(
        config.persistence,
        sql=providers.Singleton(SqlLogStatistics, engine),
        memory=request_log_store,
    )
    log_sink = providers.Singleton(BatchingLogSink, request_log_store)
    # Log rows are written in a stream: time-ordered keys append to the index (see Uuid7Generator).
    log_ids = providers.Singleton(Uuid7Generator)
    call_metering = providers.Selector(
        config.metering,
        on=providers.Singleton(CallMetering, usage_meter, log_sink, clock, log_ids),
        off=providers.Object(None),
    )
    run_tool_call = providers.Singleton(RunToolCall, call_tool, call_metering)
    get_budget_cap = providers.Singleton(GetBudgetCap, budget_caps)
    set_budget_cap = providers.Singleton(SetBudgetCap, budget_caps)
    list_logs = providers.Singleton(ListLogs, uow, request_log_store, clock)
    get_usage = providers.Singleton(GetUsage, uow, usage_meter, budget_caps, log_statistics, clock)
    purge_expired_logs = providers.Singleton(PurgeExpiredLogs, request_log_store, clock)
    test_tool_call = providers.Singleton(TestToolCall, uow, endpoint_catalog, run_tool_call)

    plan_prices = providers.Singleton(_plan_prices, settings)
    apply_payment_event = providers.Singleton(ApplyPaymentEvent, uow, plan_prices, clock)
    payments = providers.Selector(
        config.payments,
        stripe=providers.Singleton(_stripe_gateway, settings, plan_prices),
        fake=providers.Singleton(
            FakePaymentGateway, settings.provided.public_url, clock, apply_payment_event
        ),
    )
    stripe_events = providers.Singleton(_stripe_events, settings)
    clerk_events = providers.Singleton(_clerk_events, settings)
    billing_urls = providers.Singleton(_billing_urls, settings)
    start_checkout = providers.Singleton(StartCheckout, uow, payments, billing_urls, clock)
    open_billing_portal = providers.Singleton(OpenBillingPortal, uow, payments, billing_urls)
    deliver_billing_outbox = providers.Singleton(DeliverBillingOutbox, uow, payments, clock)
    apply_identity_event = providers.Singleton(
        ApplyIdentityEvent, uow, deliver_billing_outbox, clock, ids
    )
    report_overage = providers.Singleton(ReportOverage, uow, clock, ids)


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
        "metering": "on" if settings.metering else "off",
        "meter_durable_commit": settings.meter_durable_commit,
        "payments": settings.payments,
        "job_lease": _job_lease_kind(settings),
    }
    container.config.from_dict(raw)
    for name, value in overrides.items():
        getattr(container, name).override(providers.Object(value))
    return container

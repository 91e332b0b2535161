"""Settings from environment variables (API.md §13), checked strictly at start-up.

`SETTINGS` is the one table of every variable the code reads: `Settings.from_env` parses the
environment through it, and docs/configuration.md is generated from it
(`specmcp config-docs`), so the documentation cannot drift from the code.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import msgspec

__all__ = ["SETTINGS", "ConfigError", "Setting", "Settings"]


class ConfigError(ValueError):
    """A setting is missing or invalid; the message names the variable."""


class Setting(msgspec.Struct, frozen=True, kw_only=True):
    """One environment variable: where it goes, its type, default and meaning.

    `kind` is one of `str`, `secret` (a string never shown), `int`, `seconds` (an integer read
    into a float field), `bool`, `list` (comma-separated) or `choice`. `field` None: the
    variable is read elsewhere (by `scope`). `default_text` describes a derived default.
    """

    env: str
    field: str | None
    kind: str
    default: Any
    description: str
    section: str
    choices: tuple[str, ...] = ()
    low: int | None = None
    high: int | None = None
    default_text: str | None = None
    scope: str = "serve"


def _s(
    env: str, field: str | None, kind: str, default: Any, description: str, **kw: Any
) -> Setting:
    return Setting(env=env, field=field, kind=kind, default=default, description=description, **kw)


_CORE, _AUTH, _BILL, _SEC, _SCALE, _OPS, _RUN = (
    "Core",
    "Identity (Clerk or dev tokens)",
    "Payments (Stripe)",
    "Secrets and outbound requests",
    "Several instances and limits",
    "Observability and background jobs",
    "`specmcp run` (local mode only)",
)

SETTINGS: tuple[Setting, ...] = (
    _s(
        "DATABASE_URL",
        "database_url",
        "str",
        "sqlite+aiosqlite:///./specmcp.db",
        "`sqlite+aiosqlite:///path` or `postgresql+asyncpg://user:pass@host/db`.",
        section=_CORE,
    ),
    _s(
        "SPECMCP_PERSISTENCE",
        "persistence",
        "choice",
        "sql",
        "`memory` keeps everything in the process (tests, demos): nothing survives a restart.",
        section=_CORE,
        choices=("sql", "memory"),
    ),
    _s(
        "SPECMCP_PUBLIC_URL",
        "public_url",
        "str",
        "http://127.0.0.1:8000",
        "Base URL used in `mcpUrl`, checkout return URLs and the MCP Origin check.",
        section=_CORE,
        default_text="the address served by `specmcp serve`",
    ),
    _s(
        "SPECMCP_AUTO_MIGRATE",
        "auto_migrate",
        "bool",
        True,
        "Apply database migrations at start-up (an advisory lock serialises instances on "
        "PostgreSQL). Turn off when `specmcp migrate` runs as a release step.",
        section=_CORE,
    ),
    _s(
        "SPECMCP_DESCRIPTION_LIMIT",
        "description_limit",
        "int",
        1000,
        "Longest tool description served, in characters.",
        section=_CORE,
        low=50,
        high=100_000,
    ),
    _s(
        "SPECMCP_METERING",
        "metering",
        "bool",
        True,
        "Off removes the metering gate and the request logs (benchmarks only).",
        section=_CORE,
    ),
    _s(
        "SPECMCP_METER_DURABLE_COMMIT",
        "meter_durable_commit",
        "bool",
        False,
        "PostgreSQL: wait for the WAL flush on every counted call. Off, a crash of PostgreSQL "
        "itself can forget up to ~0.6 s of counted calls (never double-count them); see "
        "docs/metering.md.",
        section=_CORE,
    ),
    _s(
        "SPECMCP_IDENTITY",
        "identity",
        "choice",
        None,
        "Who signs session tokens: Clerk, or local dev tokens (`specmcp dev-token`).",
        section=_AUTH,
        choices=("clerk", "dev"),
        default_text="`clerk` when `CLERK_JWT_KEY` or `CLERK_JWKS_URL` is set, else `dev`",
    ),
    _s(
        "CLERK_JWT_KEY",
        "clerk_jwt_key",
        "secret",
        None,
        "PEM public key for Clerk session tokens (verified without a network call).",
        section=_AUTH,
    ),
    _s(
        "CLERK_JWKS_URL",
        "clerk_jwks_url",
        "str",
        None,
        "JWKS URL of the Clerk instance (used when no PEM key is set).",
        section=_AUTH,
    ),
    _s(
        "CLERK_ISSUER",
        "clerk_issuer",
        "str",
        None,
        "Expected `iss` of session tokens.",
        section=_AUTH,
        default_text="not checked",
    ),
    _s(
        "CLERK_AUTHORIZED_PARTIES",
        "clerk_authorized_parties",
        "list",
        (),
        "Comma-separated allowed `azp` values.",
        section=_AUTH,
        default_text="not checked",
    ),
    _s(
        "CLERK_WEBHOOK_SECRET",
        "clerk_webhook_secret",
        "secret",
        None,
        "Svix secret (`whsec_...`) of the Clerk webhook.",
        section=_AUTH,
        default_text="webhook refused (503)",
    ),
    _s(
        "SPECMCP_DEV_TOKEN_SECRET",
        "dev_token_secret",
        "secret",
        None,
        "HMAC secret of dev tokens; every instance must share it.",
        section=_AUTH,
        default_text="generated and kept beside the SQLite file",
    ),
    _s(
        "SPECMCP_PAYMENTS",
        "payments",
        "choice",
        None,
        "Payment provider; `fake` completes checkouts locally.",
        section=_BILL,
        choices=("stripe", "fake"),
        default_text="`stripe` when `STRIPE_SECRET_KEY` is set, else `fake`",
    ),
    _s("STRIPE_SECRET_KEY", "stripe_secret_key", "secret", None, "Stripe API key.", section=_BILL),
    _s(
        "STRIPE_WEBHOOK_SECRET",
        "stripe_webhook_secret",
        "secret",
        None,
        "Stripe webhook endpoint secret.",
        section=_BILL,
        default_text="webhook refused (503)",
    ),
    _s(
        "STRIPE_PRICE_STARTER",
        "stripe_price_starter",
        "str",
        None,
        "Price id of the starter plan (required with `stripe`).",
        section=_BILL,
    ),
    _s(
        "STRIPE_PRICE_PRO",
        "stripe_price_pro",
        "str",
        None,
        "Price id of the pro plan (required with `stripe`).",
        section=_BILL,
    ),
    _s(
        "STRIPE_METER_EVENT",
        "stripe_meter_event",
        "str",
        None,
        "Billing meter event name for overage (required with `stripe`).",
        section=_BILL,
    ),
    _s(
        "SPECMCP_STRIPE_API_BASE",
        "stripe_api_base",
        "str",
        None,
        "Another Stripe API base URL (tests and Stripe mocks).",
        section=_BILL,
        default_text="Stripe's own",
    ),
    _s(
        "SPECMCP_BILLING_JOB_SECONDS",
        "billing_job_seconds",
        "seconds",
        60,
        "Period of the billing job (queue overage, deliver the outbox); one run per period "
        "across all instances.",
        section=_BILL,
        low=1,
        high=86_400,
    ),
    _s(
        "SPECMCP_VAULT_KEYS",
        "vault_keys",
        "secret",
        None,
        "Keyring `kid:base64key,...` (first is active) encrypting stored credentials.",
        section=_SEC,
        default_text="generated beside the SQLite file (embedded default only); else required",
    ),
    _s(
        "SPECMCP_OUTBOUND_ALLOW_CIDRS",
        "outbound_allow_cidrs",
        "list",
        (),
        "Comma-separated CIDRs the outbound guard lets through (tests: `127.0.0.0/8`).",
        section=_SEC,
        default_text="none",
    ),
    _s(
        "SPECMCP_MCP_ALLOWED_ORIGINS",
        "mcp_allowed_origins",
        "list",
        (),
        "Comma-separated browser origins allowed on the MCP endpoint, besides the public URL's "
        "and localhost.",
        section=_SEC,
        default_text="none",
    ),
    _s(
        "REDIS_URL",
        "redis_url",
        "str",
        None,
        "Shared store for the /api and per-server MCP rate limits across instances; also "
        "checked by /ready.",
        section=_SCALE,
        default_text="in-process store",
    ),
    _s(
        "SPECMCP_API_RATE_LIMIT",
        "api_rate_limit",
        "int",
        100,
        "/api requests per minute per user.",
        section=_SCALE,
        low=1,
        high=1_000_000,
    ),
    _s(
        "SPECMCP_LOG_FORMAT",
        "log_format",
        "choice",
        "json",
        "`json`: one JSON object per line with `requestId`; `text` for people.",
        section=_OPS,
        choices=("json", "text"),
    ),
    _s(
        "SPECMCP_LOG_LEVEL",
        "log_level",
        "choice",
        "INFO",
        "Lowest level logged.",
        section=_OPS,
        choices=("DEBUG", "INFO", "WARNING", "ERROR"),
    ),
    _s(
        "SPECMCP_ACCESS_LOG",
        "access_log",
        "bool",
        False,
        "One log line per HTTP request (method, route, status, durationMs, requestId).",
        section=_OPS,
    ),
    _s(
        "SPECMCP_METRICS",
        "metrics",
        "bool",
        True,
        "Serve Prometheus metrics at `/metrics`.",
        section=_OPS,
    ),
    _s(
        "SPECMCP_METRICS_TOKEN",
        "metrics_token",
        "secret",
        None,
        "When set, `/metrics` needs `Authorization: Bearer <token>`.",
        section=_OPS,
        default_text="no token needed",
    ),
    _s(
        "SPECMCP_PURGE_JOB_SECONDS",
        "purge_job_seconds",
        "seconds",
        3600,
        "Period of the request-log retention purge; one run per period across all instances.",
        section=_OPS,
        low=1,
        high=86_400,
    ),
    _s(
        "PROMETHEUS_MULTIPROC_DIR",
        None,
        "str",
        None,
        "Read by prometheus_client: a directory shared by the workers of one `serve --workers N` "
        "so `/metrics` sums them (set by `serve` itself when unset).",
        section=_OPS,
        default_text="a temporary directory with `--workers` > 1",
        scope="prometheus_client",
    ),
    _s(
        "SPECMCP_PURE_PYTHON",
        None,
        "str",
        None,
        "Any value: import the spec compiler's Python sources even when its mypyc build is "
        "current (debugging, coverage); a build with it set compiles nothing.",
        section=_OPS,
        default_text="unset: the mypyc build when it matches the sources",
        scope="domain.openapi",
    ),
    _s(
        "SPECMCP_RUN_TOKEN",
        None,
        "secret",
        None,
        "Bearer token the local HTTP endpoint of `specmcp run --http` requires.",
        section=_RUN,
        default_text="generated and printed",
        scope="run",
    ),
    _s(
        "SPECMCP_RUN_CREDENTIAL",
        None,
        "secret",
        None,
        "The upstream secret (name changed by `--credential-env`).",
        section=_RUN,
        scope="run",
    ),
    _s(
        "SPECMCP_RUN_CLIENT_ID",
        None,
        "str",
        None,
        "OAuth2 client id (`oauth2_client_creds`).",
        section=_RUN,
        scope="run",
    ),
    _s(
        "SPECMCP_RUN_CLIENT_SECRET",
        None,
        "secret",
        None,
        "OAuth2 client secret (`oauth2_client_creds`).",
        section=_RUN,
        scope="run",
    ),
    _s(
        "SPECMCP_RUN_TOKEN_URL",
        None,
        "str",
        None,
        "OAuth2 token endpoint (`oauth2_client_creds`).",
        section=_RUN,
        scope="run",
    ),
    _s(
        "SPECMCP_RUN_SCOPES",
        None,
        "str",
        None,
        "Space-separated OAuth2 scopes.",
        section=_RUN,
        scope="run",
    ),
)
"""Every variable, in documentation order."""

_BY_ENV = {s.env: s for s in SETTINGS}
_TRUE, _FALSE = ("1", "true", "yes", "on"), ("0", "false", "no", "off", "")


def _parse(setting: Setting, raw: str) -> Any:
    var = setting.env
    if setting.kind in ("str", "secret"):
        return raw
    if setting.kind == "list":
        return tuple(item.strip() for item in raw.split(",") if item.strip())
    if setting.kind == "bool":
        if raw.lower() in _TRUE:
            return True
        if raw.lower() in _FALSE:
            return False
        raise ConfigError(f"{var} must be true or false")
    if setting.kind == "choice":
        if raw not in setting.choices:
            raise ConfigError(f"{var} must be {' or '.join(setting.choices)}")
        return raw
    try:
        number = int(raw)
    except ValueError:
        raise ConfigError(f"{var} must be an integer") from None
    low, high = setting.low, setting.high
    if (low is not None and number < low) or (high is not None and number > high):
        raise ConfigError(f"{var} must be between {low} and {high}")
    return float(number) if setting.kind == "seconds" else number


def _read(e: Mapping[str, str]) -> dict[str, Any]:
    # Empty means unset for every variable: `FOO=` in a compose file must not mean "".
    values: dict[str, Any] = {}
    for setting in SETTINGS:
        if setting.field is None:
            continue
        raw = e.get(setting.env, "")
        if raw.strip() == "":
            default = setting.default
            values[setting.field] = float(default) if setting.kind == "seconds" else default
        else:
            values[setting.field] = _parse(
                setting, raw if setting.kind == "secret" else raw.strip()
            )
    return values


def _check_vault_keys(v: dict[str, Any]) -> None:
    if v["vault_keys"] is not None:
        from adapters.vault.keyring_config import parse_keyring

        try:
            parse_keyring(v["vault_keys"])
        except ValueError as exc:
            raise ConfigError(f"SPECMCP_VAULT_KEYS: {exc}") from None
    elif v["persistence"] == "sql" and not v["database_url"].startswith("sqlite"):
        raise ConfigError("SPECMCP_VAULT_KEYS is required with PostgreSQL (kid:base64key,...)")


def _check_payments(v: dict[str, Any]) -> None:
    v["payments"] = v["payments"] or ("stripe" if v["stripe_secret_key"] else "fake")
    if v["payments"] == "stripe":
        for var in (
            "STRIPE_SECRET_KEY",
            "STRIPE_PRICE_STARTER",
            "STRIPE_PRICE_PRO",
            "STRIPE_METER_EVENT",
        ):
            field = _BY_ENV[var].field
            if not v[str(field)]:
                raise ConfigError(f"SPECMCP_PAYMENTS=stripe needs {var}")


def _check_clerk_webhook_secret(value: str | None) -> None:
    if value is None:
        return
    import base64
    import binascii

    try:
        key = base64.b64decode(value.removeprefix("whsec_") + "==", validate=True)
    except (binascii.Error, ValueError):
        key = b""
    if not key:
        raise ConfigError("CLERK_WEBHOOK_SECRET must be a Svix secret (whsec_<base64>)")


def _derive(v: dict[str, Any]) -> None:
    """The rules between variables: derived defaults and combinations that must hold."""
    has_clerk_key = bool(v["clerk_jwt_key"] or v["clerk_jwks_url"])
    v["identity"] = v["identity"] or ("clerk" if has_clerk_key else "dev")
    if v["identity"] == "clerk" and not has_clerk_key:
        raise ConfigError("SPECMCP_IDENTITY=clerk needs CLERK_JWT_KEY or CLERK_JWKS_URL")
    if v["persistence"] == "sql" and not v["database_url"].startswith(
        ("sqlite+aiosqlite://", "postgresql+asyncpg://")
    ):
        raise ConfigError(
            "DATABASE_URL must start with sqlite+aiosqlite:// or postgresql+asyncpg://"
        )
    v["public_url"] = v["public_url"].rstrip("/")
    v["ratelimit"] = "redis" if v["redis_url"] else "memory"
    _check_vault_keys(v)
    _check_payments(v)
    _check_clerk_webhook_secret(v["clerk_webhook_secret"])


class Settings(msgspec.Struct, frozen=True, kw_only=True):
    """Every setting of `specmcp serve`; variables and defaults in `SETTINGS`."""

    database_url: str = "sqlite+aiosqlite:///./specmcp.db"
    persistence: str = "sql"
    public_url: str = "http://127.0.0.1:8000"
    identity: str = "dev"
    clerk_jwt_key: str | None = None
    clerk_jwks_url: str | None = None
    clerk_issuer: str | None = None
    clerk_authorized_parties: tuple[str, ...] = ()
    dev_token_secret: str | None = None
    vault_keys: str | None = None
    outbound_allow_cidrs: tuple[str, ...] = ()
    mcp_allowed_origins: tuple[str, ...] = ()
    api_rate_limit: int = 100
    ratelimit: str = "memory"  # derived: redis when REDIS_URL is set
    redis_url: str | None = None
    description_limit: int = 1000
    max_body_bytes: int = 12 * 1024 * 1024  # fixed by the contract (API.md §1)
    auto_migrate: bool = True
    metering: bool = True
    meter_durable_commit: bool = False
    payments: str = "fake"
    stripe_secret_key: str | None = None
    stripe_webhook_secret: str | None = None
    stripe_price_starter: str | None = None
    stripe_price_pro: str | None = None
    stripe_meter_event: str | None = None
    stripe_api_base: str | None = None
    clerk_webhook_secret: str | None = None
    billing_job_seconds: float = 60.0
    purge_job_seconds: float = 3600.0
    log_format: str = "json"
    log_level: str = "INFO"
    access_log: bool = False
    metrics: bool = True
    metrics_token: str | None = None

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Read the environment (or `env`); raises ConfigError naming a bad variable."""
        values = _read(os.environ if env is None else env)
        _derive(values)
        return cls(**values)

    @property
    def is_embedded_sqlite(self) -> bool:
        return self.persistence == "sql" and self.database_url.startswith("sqlite")

    @property
    def is_postgres(self) -> bool:
        return self.persistence == "sql" and self.database_url.startswith("postgresql")

    def state_dir(self) -> Path:
        """Where the embedded default keeps its generated secrets: beside the SQLite file."""
        if self.is_embedded_sqlite:
            path = self.database_url.split(":///", 1)[1]
            if path and path != ":memory:":
                return Path(path).expanduser().resolve().parent
        return Path.cwd()

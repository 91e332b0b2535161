"""Settings from environment variables (API.md §13), checked strictly at start-up."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

import msgspec

__all__ = ["ConfigError", "Settings"]


class ConfigError(ValueError):
    """A setting is missing or invalid; the message names the variable."""


def _bool(value: str, var: str) -> bool:
    if value.lower() in ("1", "true", "yes", "on"):
        return True
    if value.lower() in ("0", "false", "no", "off", ""):
        return False
    raise ConfigError(f"{var} must be true or false")


def _int(value: str, var: str, low: int, high: int) -> int:
    try:
        number = int(value)
    except ValueError:
        raise ConfigError(f"{var} must be an integer") from None
    if not low <= number <= high:
        raise ConfigError(f"{var} must be between {low} and {high}")
    return number


def _vault_keys(value: str | None, persistence: str, database_url: str) -> str | None:
    if value is not None:
        from adapters.vault.keyring_config import parse_keyring

        try:
            parse_keyring(value)
        except ValueError as exc:
            raise ConfigError(f"SPECMCP_VAULT_KEYS: {exc}") from None
        return value
    if persistence == "sql" and not database_url.startswith("sqlite"):
        raise ConfigError("SPECMCP_VAULT_KEYS is required with PostgreSQL (kid:base64key,...)")
    return None


def _payments(e: Mapping[str, str]) -> str:
    payments = e.get("SPECMCP_PAYMENTS") or ("stripe" if e.get("STRIPE_SECRET_KEY") else "fake")
    if payments not in ("stripe", "fake"):
        raise ConfigError("SPECMCP_PAYMENTS must be stripe or fake")
    if payments == "stripe":
        for var in (
            "STRIPE_SECRET_KEY",
            "STRIPE_PRICE_STARTER",
            "STRIPE_PRICE_PRO",
            "STRIPE_METER_EVENT",
        ):
            if not e.get(var):
                raise ConfigError(f"SPECMCP_PAYMENTS=stripe needs {var}")
    return payments


def _clerk_webhook_secret(value: str | None) -> str | None:
    if value is None:
        return None
    import base64
    import binascii

    try:
        key = base64.b64decode(value.removeprefix("whsec_") + "==", validate=True)
    except (binascii.Error, ValueError):
        key = b""
    if not key:
        raise ConfigError("CLERK_WEBHOOK_SECRET must be a Svix secret (whsec_<base64>)")
    return value


class Settings(msgspec.Struct, frozen=True, kw_only=True):
    """Every setting, its environment variable and its default (see docs/configuration.md)."""

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
    api_rate_limit: int = 100
    ratelimit: str = "memory"
    redis_url: str | None = None
    description_limit: int = 1000
    max_body_bytes: int = 12 * 1024 * 1024
    auto_migrate: bool = True
    metering: bool = True
    payments: str = "fake"
    stripe_secret_key: str | None = None
    stripe_webhook_secret: str | None = None
    stripe_price_starter: str | None = None
    stripe_price_pro: str | None = None
    stripe_meter_event: str | None = None
    stripe_api_base: str | None = None
    clerk_webhook_secret: str | None = None
    billing_job_seconds: float = 60.0

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Read the environment (or `env`); raises ConfigError naming a bad variable."""
        e = dict(os.environ if env is None else env)
        clerk_key = e.get("CLERK_JWT_KEY") or None
        clerk_jwks = e.get("CLERK_JWKS_URL") or None
        identity = e.get("SPECMCP_IDENTITY") or ("clerk" if clerk_key or clerk_jwks else "dev")
        if identity not in ("clerk", "dev"):
            raise ConfigError("SPECMCP_IDENTITY must be clerk or dev")
        if identity == "clerk" and not (clerk_key or clerk_jwks):
            raise ConfigError("SPECMCP_IDENTITY=clerk needs CLERK_JWT_KEY or CLERK_JWKS_URL")
        persistence = e.get("SPECMCP_PERSISTENCE", "sql")
        if persistence not in ("sql", "memory"):
            raise ConfigError("SPECMCP_PERSISTENCE must be sql or memory")
        database_url = e.get("DATABASE_URL") or "sqlite+aiosqlite:///./specmcp.db"
        if persistence == "sql" and not database_url.startswith(
            ("sqlite+aiosqlite://", "postgresql+asyncpg://")
        ):
            raise ConfigError(
                "DATABASE_URL must start with sqlite+aiosqlite:// or postgresql+asyncpg://"
            )
        redis_url = e.get("REDIS_URL") or None
        cidrs = tuple(
            c.strip() for c in e.get("SPECMCP_OUTBOUND_ALLOW_CIDRS", "").split(",") if c.strip()
        )
        parties = tuple(
            p.strip() for p in e.get("CLERK_AUTHORIZED_PARTIES", "").split(",") if p.strip()
        )
        payments = _payments(e)
        return cls(
            database_url=database_url,
            persistence=persistence,
            public_url=(e.get("SPECMCP_PUBLIC_URL") or "http://127.0.0.1:8000").rstrip("/"),
            identity=identity,
            clerk_jwt_key=clerk_key,
            clerk_jwks_url=clerk_jwks,
            clerk_issuer=e.get("CLERK_ISSUER") or None,
            clerk_authorized_parties=parties,
            dev_token_secret=e.get("SPECMCP_DEV_TOKEN_SECRET") or None,
            vault_keys=_vault_keys(e.get("SPECMCP_VAULT_KEYS") or None, persistence, database_url),
            outbound_allow_cidrs=cidrs,
            api_rate_limit=_int(
                e.get("SPECMCP_API_RATE_LIMIT", "100"), "SPECMCP_API_RATE_LIMIT", 1, 1_000_000
            ),
            ratelimit="redis" if redis_url else "memory",
            redis_url=redis_url,
            description_limit=_int(
                e.get("SPECMCP_DESCRIPTION_LIMIT", "1000"), "SPECMCP_DESCRIPTION_LIMIT", 50, 100_000
            ),
            auto_migrate=_bool(e.get("SPECMCP_AUTO_MIGRATE", "true"), "SPECMCP_AUTO_MIGRATE"),
            # Off only for benchmarks and the local run mode: nothing is counted or logged.
            metering=_bool(e.get("SPECMCP_METERING", "on"), "SPECMCP_METERING"),
            payments=payments,
            stripe_secret_key=e.get("STRIPE_SECRET_KEY") or None,
            stripe_webhook_secret=e.get("STRIPE_WEBHOOK_SECRET") or None,
            stripe_price_starter=e.get("STRIPE_PRICE_STARTER") or None,
            stripe_price_pro=e.get("STRIPE_PRICE_PRO") or None,
            stripe_meter_event=e.get("STRIPE_METER_EVENT") or None,
            stripe_api_base=e.get("SPECMCP_STRIPE_API_BASE") or None,
            clerk_webhook_secret=_clerk_webhook_secret(e.get("CLERK_WEBHOOK_SECRET") or None),
            billing_job_seconds=float(
                _int(
                    e.get("SPECMCP_BILLING_JOB_SECONDS", "60"),
                    "SPECMCP_BILLING_JOB_SECONDS",
                    1,
                    86_400,
                )
            ),
        )

    @property
    def is_embedded_sqlite(self) -> bool:
        return self.persistence == "sql" and self.database_url.startswith("sqlite")

    def state_dir(self) -> Path:
        """Where the embedded default keeps its generated secrets: beside the SQLite file."""
        if self.is_embedded_sqlite:
            path = self.database_url.split(":///", 1)[1]
            if path and path != ":memory:":
                return Path(path).expanduser().resolve().parent
        return Path.cwd()

"""`specmcp serve`: the whole service (API, MCP endpoint, background jobs).

`--workers N` (N > 1) runs N processes on one port through uvicorn's app factory: each worker
builds its own container from the environment. The parent checks the settings, applies the
migrations and makes the embedded default's secrets once, before any worker starts, and gives
the workers one Prometheus multiprocess directory so that /metrics sums them.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import shutil
import sys
import tempfile
from typing import Any

import msgspec

__all__ = ["register"]

log = logging.getLogger("specmcp")

_FACTORY = "entrypoints.http.app:create_app_from_env"
_MULTIPROC_DIR = "PROMETHEUS_MULTIPROC_DIR"


def _serve(args: argparse.Namespace) -> int:
    from entrypoints.config import ConfigError, Settings
    from entrypoints.observability.json_logging import configure_logging

    try:
        settings = Settings.from_env()
        if args.workers > 1 and settings.persistence == "memory":
            raise ConfigError("--workers needs a database: memory persistence is per process")
    except ConfigError as exc:
        print(f"specmcp: configuration error: {exc}", file=sys.stderr)
        return 2
    if not os.environ.get("SPECMCP_PUBLIC_URL"):
        # Without a configured public URL, mcpUrl names the address actually served.
        wildcard = args.host in ("0.0.0.0", "::", "")  # noqa: S104 - compared, not bound
        host = "127.0.0.1" if wildcard else args.host
        public_url = f"http://{host}:{args.port}"
        os.environ["SPECMCP_PUBLIC_URL"] = public_url  # workers read the environment
        settings = msgspec.structs.replace(settings, public_url=public_url)
    configure_logging(settings.log_format, settings.log_level)
    _announce(args, settings)
    if args.workers > 1:
        return _serve_workers(args, settings)
    return _serve_one(args, settings)


def _announce(args: argparse.Namespace, settings: Any) -> None:
    base = f"http://{args.host}:{args.port}"
    log.info(
        "specmcp serving on %s (database: %s, identity: %s, workers: %d)",
        base,
        _safe_db(settings.database_url),
        settings.identity,
        args.workers,
    )
    if settings.identity == "dev":
        log.info("get a token: specmcp dev-token --user me")
    log.info("API docs: %s/schema (OpenAPI JSON: %s/schema/openapi.json)", base, base)
    _announce_compiler()


def _announce_compiler() -> None:
    # A build that could not compile the spec compiler still installs (pure Python, ~1.5x
    # slower on big documents): say which one runs, so a silent fallback shows in the log.
    import domain.openapi

    if domain.openapi.COMPILED:
        log.info("spec compiler: mypyc build")
    elif os.environ.get("SPECMCP_PURE_PYTHON"):
        log.info("spec compiler: Python sources (SPECMCP_PURE_PYTHON is set)")
    else:
        log.warning(
            "spec compiler: Python sources, no current mypyc build "
            "(reinstall with a C compiler: `uv sync --reinstall-package specmcp`)"
        )


def _uvicorn_options(args: argparse.Namespace) -> dict[str, Any]:
    from entrypoints.http.coalescing_protocol import CoalescingHttpToolsProtocol

    # log_config=None: uvicorn's loggers go through the handler configure_logging installed.
    return {
        "http": CoalescingHttpToolsProtocol,
        "host": args.host,
        "port": args.port,
        "reload": False,
        "log_level": "warning",
        "log_config": None,
        "access_log": False,
        "lifespan": "on",
        "timeout_graceful_shutdown": 8,  # in-flight calls get 8 s, then are cut (and logged)
    }


def _serve_one(args: argparse.Namespace, settings: Any) -> int:
    import uvicorn

    from entrypoints.container import build_container
    from entrypoints.http.app import create_app

    uvicorn.run(create_app(build_container(settings)), **_uvicorn_options(args))
    return 0


def _prepare_shared_state(settings: Any) -> None:
    """What the workers would otherwise race for: migrations and generated secrets."""
    from adapters.persistence.sql.migrate import migrate
    from adapters.vault.keyring_config import load_or_create_local_keyring
    from entrypoints.container import dev_token_secret

    if settings.persistence == "sql" and settings.auto_migrate:
        asyncio.run(migrate(settings.database_url))
        os.environ["SPECMCP_AUTO_MIGRATE"] = "false"
    if settings.identity == "dev":
        dev_token_secret(settings)
    if settings.is_embedded_sqlite and not settings.vault_keys:
        load_or_create_local_keyring(settings.state_dir())


def _serve_workers(args: argparse.Namespace, settings: Any) -> int:
    import uvicorn

    _prepare_shared_state(settings)
    made_dir = None
    if not os.environ.get(_MULTIPROC_DIR):
        made_dir = tempfile.mkdtemp(prefix="specmcp-metrics-")
        os.environ[_MULTIPROC_DIR] = made_dir
    try:
        uvicorn.run(_FACTORY, factory=True, workers=args.workers, **_uvicorn_options(args))
    finally:
        if made_dir is not None:
            shutil.rmtree(made_dir, ignore_errors=True)
    return 0


def _safe_db(url: str) -> str:
    # Never print a password that DATABASE_URL may hold.
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def _workers(value: str) -> int:
    number = int(value)
    if not 1 <= number <= 64:
        raise argparse.ArgumentTypeError("--workers must be between 1 and 64")
    return number


def register(sub: Any) -> None:
    parser = sub.add_parser("serve", help="run the service")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument(
        "--workers",
        type=_workers,
        default=1,
        help="worker processes on this port (legacy SSE sessions live in one worker each)",
    )
    parser.set_defaults(handler=_serve)

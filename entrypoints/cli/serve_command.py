"""`specmcp serve`: the whole service (API, MCP endpoint, background jobs)."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from typing import Any

import msgspec

__all__ = ["register"]


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from entrypoints.config import ConfigError, Settings
    from entrypoints.container import build_container
    from entrypoints.http.app import create_app

    try:
        settings = Settings.from_env()
    except ConfigError as exc:
        print(f"specmcp: configuration error: {exc}", file=sys.stderr)
        return 2
    if not os.environ.get("SPECMCP_PUBLIC_URL"):
        # Without a configured public URL, mcpUrl names the address actually served.
        wildcard = args.host in ("0.0.0.0", "::", "")  # noqa: S104 - compared, not bound
        host = "127.0.0.1" if wildcard else args.host
        settings = msgspec.structs.replace(settings, public_url=f"http://{host}:{args.port}")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    logging.getLogger("mcp").setLevel(logging.WARNING)
    app = create_app(build_container(settings))
    base = f"http://{args.host}:{args.port}"
    print(
        f"specmcp serving on {base}  (database: {_safe_db(settings.database_url)}, "
        f"identity: {settings.identity})"
    )
    if settings.identity == "dev":
        print("  get a token:   specmcp dev-token --user me")
    print(f"  API docs:      {base}/schema   (OpenAPI JSON: {base}/schema/openapi.json)")
    uvicorn.run(
        app,
        host=args.host,
        port=args.port,
        reload=False,
        log_level="warning",
        access_log=False,
        lifespan="on",
    )
    return 0


def _safe_db(url: str) -> str:
    # Never print a password that DATABASE_URL may hold.
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def register(sub: Any) -> None:
    parser = sub.add_parser("serve", help="run the service")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.set_defaults(handler=_serve)

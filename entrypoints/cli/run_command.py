"""`specmcp run SPEC --base-url URL`: one spec as a local MCP server, no database.

Serves over stdio by default, or Streamable HTTP (and legacy SSE) with `--http PORT`. The
upstream secret comes from the environment (`--credential-env VAR`, default
`SPECMCP_RUN_CREDENTIAL`) so it never shows in the process list; OAuth client credentials
come from `SPECMCP_RUN_CLIENT_ID`, `SPECMCP_RUN_CLIENT_SECRET` and `SPECMCP_RUN_TOKEN_URL`.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from pathlib import Path
from typing import Any

__all__ = ["register"]

_AUTH_MODES = ("none", "api_key", "bearer", "basic", "oauth2_client_creds")
_DEFAULT_CREDENTIAL_ENV = "SPECMCP_RUN_CREDENTIAL"
_LOOPBACK = ("127.0.0.0/8", "::1/128")


def _say(message: str) -> None:
    # stdout belongs to the MCP protocol in stdio mode: everything for people goes to stderr.
    print(f"specmcp run: {message}", file=sys.stderr, flush=True)


def _credential(args: argparse.Namespace) -> Any:
    from application.usecases.credential_rules import CreateCredentialCommand

    mode = args.auth_mode
    if mode == "none":
        return None
    if mode == "oauth2_client_creds":
        scopes = tuple(s for s in os.environ.get("SPECMCP_RUN_SCOPES", "").split() if s)
        return CreateCredentialCommand(
            label="run",
            auth_type=mode,
            client_id=os.environ.get("SPECMCP_RUN_CLIENT_ID"),
            client_secret=os.environ.get("SPECMCP_RUN_CLIENT_SECRET"),
            token_endpoint=os.environ.get("SPECMCP_RUN_TOKEN_URL"),
            scopes=scopes,
        )
    secret = os.environ.get(args.credential_env)
    if args.credential is not None:
        _say(
            "warning: --credential shows the secret to every user of this machine (ps); "
            f"prefer {_DEFAULT_CREDENTIAL_ENV} or --credential-env"
        )
        secret = args.credential
    return CreateCredentialCommand(label="run", auth_type=mode, plaintext_key=secret or None)


def _options(args: argparse.Namespace) -> Any:
    from entrypoints.mcp.local_endpoint import LocalServerOptions

    is_url = args.spec.startswith(("http://", "https://"))
    auth_config = None
    if args.auth_mode == "api_key":
        auth_config = {"in": args.api_key_in, "name": args.api_key_name}
    return LocalServerOptions(
        raw_spec=None if is_url else Path(args.spec).read_text(encoding="utf-8"),
        spec_url=args.spec if is_url else None,
        base_url=args.base_url,
        auth_mode=args.auth_mode,
        auth_config=auth_config,
        credential=_credential(args),
    )


async def _serve(args: argparse.Namespace) -> None:
    from entrypoints.lifecycle import shutdown_container
    from entrypoints.mcp.local_endpoint import local_container, provision_local_endpoint
    from entrypoints.mcp.local_serving import serve_http, serve_stdio

    env_cidrs = os.environ.get("SPECMCP_OUTBOUND_ALLOW_CIDRS", "")
    # A local run calls the user's own APIs, often on localhost: loopback is allowed by default.
    cidrs = tuple(c.strip() for c in env_cidrs.split(",") if c.strip()) or _LOOPBACK
    public_url = f"http://{args.host}:{args.http or 0}"
    container = local_container(cidrs, public_url, os.environ.get("SPECMCP_RUN_TOKEN") or None)
    try:
        endpoint = await provision_local_endpoint(container, _options(args))
        tools = len(endpoint.snapshot.active_tools)
        if args.http is None:
            _say(f"serving {tools} tools over stdio")
            await serve_stdio(container, endpoint)
            return
        _say(
            f"serving {tools} tools at http://{args.host}:{args.http}/mcp/{endpoint.endpoint_id}"
            f"  (legacy SSE: .../sse)"
        )
        _say(f"access token: {endpoint.token}")
        await serve_http(container, args.host, args.http)
    finally:
        await shutdown_container(container)


def _run(args: argparse.Namespace) -> int:
    from domain.errors import DomainError

    try:
        asyncio.run(_serve(args))
    except DomainError as exc:
        problems = "; ".join(
            f"{'.'.join(map(str, p.path))}: {p.message}" for p in getattr(exc, "problems", ())
        )
        _say(f"error: {exc.message}{' (' + problems + ')' if problems else ''}")
        return 2
    except OSError as exc:  # an unreadable spec file, a port in use
        _say(f"error: {exc}")
        return 2
    except KeyboardInterrupt:
        pass
    return 0


def register(sub: Any) -> None:
    """Add the `run` sub-command."""
    parser = sub.add_parser("run", help="serve one spec as a local MCP server (stdio or HTTP)")
    parser.add_argument("spec", metavar="SPEC", help="a file path or an http(s) URL")
    parser.add_argument("--base-url", required=True, help="the upstream API's base URL")
    parser.add_argument("--http", type=int, metavar="PORT", help="serve HTTP instead of stdio")
    parser.add_argument("--host", default="127.0.0.1", help="HTTP bind address")
    parser.add_argument("--auth-mode", choices=_AUTH_MODES, default="none")
    parser.add_argument("--api-key-in", choices=("header", "query", "cookie"), default="header")
    parser.add_argument("--api-key-name", default="X-API-Key")
    parser.add_argument(
        "--credential-env",
        default=_DEFAULT_CREDENTIAL_ENV,
        metavar="VAR",
        help=f"environment variable holding the secret ({_DEFAULT_CREDENTIAL_ENV})",
    )
    parser.add_argument("--credential", help="the secret itself (discouraged: visible in ps)")
    parser.set_defaults(handler=_run)

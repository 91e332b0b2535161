"""`specmcp dev-token --user ID`: a token for the dev identity (local use and tests)."""

from __future__ import annotations

import argparse
import sys
from datetime import timedelta
from typing import Any

__all__ = ["register"]


def _dev_token(args: argparse.Namespace) -> int:
    from adapters.identity.dev_identity_verifier import mint_dev_token
    from entrypoints.config import ConfigError, Settings
    from entrypoints.container import dev_token_secret

    try:
        settings = Settings.from_env()
    except ConfigError as exc:
        print(f"specmcp: configuration error: {exc}", file=sys.stderr)
        return 2
    if settings.identity != "dev":
        print(
            "specmcp: the service uses Clerk identity; dev tokens would be refused", file=sys.stderr
        )
        return 2
    token = mint_dev_token(args.user, dev_token_secret(settings), timedelta(hours=args.hours))
    print(token)
    return 0


def register(sub: Any) -> None:
    parser = sub.add_parser("dev-token", help="print a dev identity token")
    parser.add_argument("--user", required=True, help="the user id (the token's sub)")
    parser.add_argument("--hours", type=float, default=12.0, help="validity (default 12)")
    parser.set_defaults(handler=_dev_token)

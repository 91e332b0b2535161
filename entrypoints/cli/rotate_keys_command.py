"""`specmcp rotate-keys`: re-seal every stored secret under the vault's active key.

Online: the service keeps running (each batch is its own short transaction). Put the new key
first in SPECMCP_VAULT_KEYS on every instance, keeping the old ones, then run this; drop an old
key only after a run that reports no failure.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from typing import Any

__all__ = ["register"]

_FAILED_SHOWN = 50


def _rotate_keys(args: argparse.Namespace) -> int:
    from entrypoints.config import ConfigError, Settings
    from entrypoints.container import build_container

    try:
        settings = Settings.from_env()
        container = build_container(settings)
        container.vault()  # a malformed keyring fails here, before any database work
    except (ConfigError, ValueError) as exc:
        print(f"specmcp: configuration error: {exc}", file=sys.stderr)
        return 2
    report = asyncio.run(_run(container, settings.persistence, args.batch_size))
    print(
        f"rotated {report.rotated}, already current {report.already_current}, "
        f"failed {report.failed} (active key id: {report.active_key_id})"
    )
    if report.failed_ids:
        # Ids only: these credentials could not be opened with any key in the keyring.
        shown = ", ".join(report.failed_ids[:_FAILED_SHOWN])
        more = len(report.failed_ids) - _FAILED_SHOWN
        print(
            f"could not open: {shown}" + (f" and {more} more" if more > 0 else ""), file=sys.stderr
        )
        return 1
    return 0


async def _run(container: Any, persistence: str, batch_size: int) -> Any:
    try:
        return await container.rotate_vault_keys(batch_size=batch_size)()
    finally:
        if persistence == "sql":
            await container.engine().dispose()


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def register(sub: Any) -> None:
    parser = sub.add_parser(
        "rotate-keys", help="re-encrypt stored secrets under the newest vault key"
    )
    parser.add_argument(
        "--batch-size", type=_positive, default=100, help="credentials per transaction"
    )
    parser.set_defaults(handler=_rotate_keys)

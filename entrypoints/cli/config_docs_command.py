"""`specmcp config-docs`: print, write or check the generated configuration reference."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

__all__ = ["register"]


def _config_docs(args: argparse.Namespace) -> int:
    from entrypoints.config_docs import configuration_markdown

    text = configuration_markdown()
    if args.check:
        current = Path(args.check).read_text(encoding="utf-8") if Path(args.check).exists() else ""
        if current != text:
            print(f"{args.check} is out of date: run specmcp config-docs --write", file=sys.stderr)
            return 1
        return 0
    if args.write:
        Path(args.write).write_text(text, encoding="utf-8")
        return 0
    sys.stdout.write(text)
    return 0


def register(sub: Any) -> None:
    parser = sub.add_parser("config-docs", help="print the configuration reference (Markdown)")
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--write", metavar="PATH", help="write it to PATH")
    group.add_argument("--check", metavar="PATH", help="exit 1 when PATH differs from it")
    parser.set_defaults(handler=_config_docs)

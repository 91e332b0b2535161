"""The list of sub-commands. Each module exposes `register(subparsers)` that sets `handler`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from entrypoints.cli import (
    config_docs_command,
    dev_token_command,
    migrate_command,
    rotate_keys_command,
    run_command,
    serve_command,
    tools_command,
)

__all__ = ["REGISTRARS"]

REGISTRARS: list[Callable[[Any], None]] = [
    serve_command.register,
    dev_token_command.register,
    migrate_command.register,
    tools_command.register,
    rotate_keys_command.register,
    run_command.register,
    config_docs_command.register,
]

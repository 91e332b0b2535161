"""The list of sub-commands. Each module exposes `register(subparsers)` that sets `handler`."""

from __future__ import annotations

import argparse
from collections.abc import Callable

__all__ = ["REGISTRARS"]

Registrar = Callable[["argparse._SubParsersAction[argparse.ArgumentParser]"], None]

REGISTRARS: list[Registrar] = []

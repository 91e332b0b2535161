"""SpecCompilation: the compiler with the deployment's settings."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from domain.openapi.compiler import compile_spec
from domain.openapi.tools import CompiledSpec

__all__ = ["SpecCompilation"]


class SpecCompilation:
    """Compiles documents to tool definitions (pure; no I/O)."""

    def __init__(self, description_limit: int = 1000) -> None:
        self._description_limit = description_limit

    def compile(self, document: Mapping[str, Any]) -> CompiledSpec:
        return compile_spec(document, description_limit=self._description_limit)

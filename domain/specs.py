"""Specs: an imported OpenAPI document and what was learnt from it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import msgspec

from domain.openapi.warnings import CompileWarning

__all__ = ["Spec"]


class Spec(msgspec.Struct, frozen=True, kw_only=True):
    """An imported document, owned by one user."""

    id: str
    owner_id: str
    name: str
    version: str
    source_url: str | None
    openapi_version: str
    title: str
    operation_count: int
    tool_count: int
    warnings: tuple[CompileWarning, ...] = ()
    raw_spec: dict[str, Any]
    created_at: datetime
    updated_at: datetime

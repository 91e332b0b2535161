"""Inputs of the spec use cases (already shape-checked at the edge)."""

from __future__ import annotations

from typing import Any

import msgspec

__all__ = ["ImportSpecCommand", "UpdateSpecCommand"]


class ImportSpecCommand(msgspec.Struct, frozen=True, kw_only=True):
    """Import a document given inline (`raw_spec`) or by URL."""

    name: str
    version: str | None = None
    source_url: str | None = None
    raw_spec: Any = None


class UpdateSpecCommand(msgspec.Struct, frozen=True, kw_only=True):
    """A partial update: UNSET fields stay as they are."""

    name: str | msgspec.UnsetType = msgspec.UNSET
    version: str | msgspec.UnsetType = msgspec.UNSET
    source_url: str | msgspec.UnsetType | None = msgspec.UNSET
    raw_spec: Any = msgspec.UNSET
    refetch: bool = False

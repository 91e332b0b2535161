"""What the spec routes answer (camelCase JSON)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import msgspec

from application.usecases.tool_sync import ToolChanges
from domain.specs import Spec

__all__ = [
    "SpecDeletedView",
    "SpecDetailView",
    "SpecUpdatedView",
    "SpecView",
    "ToolChangesView",
    "WarningView",
    "spec_view",
]


class WarningView(msgspec.Struct, frozen=True):
    """Something the compiler skipped or approximated; `pointer` is a JSON pointer."""

    code: str
    message: str
    pointer: str


class SpecView(msgspec.Struct, frozen=True, rename="camel"):
    """A spec without its document."""

    id: str
    name: str
    version: str
    source_url: str | None
    openapi_version: str
    title: str
    operation_count: int
    tool_count: int
    warnings: list[WarningView]
    created_at: datetime
    updated_at: datetime


class SpecDetailView(SpecView, frozen=True, rename="camel"):
    """A spec with the document as imported (JSON)."""

    raw_spec: dict[str, Any] = {}


class ToolChangesView(msgspec.Struct, frozen=True):
    """Tools added, kept and removed by a re-compile, over all of the spec's servers."""

    added: int
    kept: int
    removed: int


class SpecUpdatedView(SpecView, frozen=True, rename="camel"):
    """The updated spec and what the re-compile did to its servers' tools."""

    tool_changes: ToolChangesView = ToolChangesView(0, 0, 0)


class SpecDeletedView(msgspec.Struct, frozen=True, rename="camel"):
    """The deleted spec's id and how many servers went with it."""

    id: str
    deleted: bool
    servers_deleted: int


def _common(spec: Spec) -> dict[str, Any]:
    return {
        "id": spec.id,
        "name": spec.name,
        "version": spec.version,
        "source_url": spec.source_url,
        "openapi_version": spec.openapi_version,
        "title": spec.title,
        "operation_count": spec.operation_count,
        "tool_count": spec.tool_count,
        "warnings": [WarningView(w.code, w.message, w.pointer) for w in spec.warnings],
        "created_at": spec.created_at,
        "updated_at": spec.updated_at,
    }


def spec_view(spec: Spec) -> SpecView:
    return SpecView(**_common(spec))


def spec_detail_view(spec: Spec) -> SpecDetailView:
    return SpecDetailView(**_common(spec), raw_spec=spec.raw_spec)


def spec_updated_view(spec: Spec, changes: ToolChanges) -> SpecUpdatedView:
    return SpecUpdatedView(
        **_common(spec),
        tool_changes=ToolChangesView(changes.added, changes.kept, changes.removed),
    )

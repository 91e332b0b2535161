"""Inputs of the server and tool use cases (shape-checked at the edge)."""

from __future__ import annotations

from typing import Any

import msgspec

__all__ = ["CreateServerCommand", "UpdateServerCommand", "UpdateToolCommand"]


class CreateServerCommand(msgspec.Struct, frozen=True, kw_only=True):
    """Create a hosted server from one of the user's specs."""

    spec_id: str
    name: str
    slug: str
    auth_mode: str
    auth_config: dict[str, Any] | None = None
    base_url: str | None = None
    rate_limit_per_minute: int = 100


class UpdateServerCommand(msgspec.Struct, frozen=True, kw_only=True):
    """A partial update: UNSET fields stay as they are."""

    name: str | msgspec.UnsetType = msgspec.UNSET
    slug: str | msgspec.UnsetType = msgspec.UNSET
    auth_mode: str | msgspec.UnsetType = msgspec.UNSET
    auth_config: dict[str, Any] | msgspec.UnsetType = msgspec.UNSET
    base_url: str | msgspec.UnsetType = msgspec.UNSET
    rate_limit_per_minute: int | msgspec.UnsetType = msgspec.UNSET
    is_active: bool | msgspec.UnsetType = msgspec.UNSET


class UpdateToolCommand(msgspec.Struct, frozen=True, kw_only=True):
    """A partial update of one tool."""

    is_active: bool | msgspec.UnsetType = msgspec.UNSET
    name: str | msgspec.UnsetType = msgspec.UNSET
    description: str | msgspec.UnsetType = msgspec.UNSET

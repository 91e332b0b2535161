"""The Conflict errors of the persistence adapters, worded once for SQL and memory alike."""

from __future__ import annotations

from domain.errors import Conflict

__all__ = ["endpoint_taken", "slug_taken", "tool_name_taken"]


def slug_taken(slug: str) -> Conflict:
    """The owner already has a server with that slug."""
    return Conflict(f"A server with slug '{slug}' already exists.")


def endpoint_taken() -> Conflict:
    """Another server has that endpoint id (random ids: in practice, a bug)."""
    return Conflict("A server with that endpoint id already exists.")


def tool_name_taken(name: str) -> Conflict:
    """The server already has a tool with that name."""
    return Conflict(f"A tool named '{name}' already exists on this server.")

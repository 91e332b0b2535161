"""Request bodies of the server and tool routes (API.md §3-4)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

import msgspec

from domain.errors import FieldProblem
from domain.values import HttpUrl, Slug
from entrypoints.http.spec_bodies import HTTP_URL_PATTERN

__all__ = ["CreateServerBody", "UpdateServerBody", "UpdateToolBody"]

Name = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
SlugText = Annotated[
    str,
    msgspec.Meta(
        min_length=3,
        max_length=50,
        extra_json_schema={"pattern": "^[a-z0-9]+(-[a-z0-9]+)*$"},
    ),
]
Url = Annotated[
    str,
    msgspec.Meta(
        min_length=1,
        max_length=2000,
        extra_json_schema={"pattern": HTTP_URL_PATTERN},
    ),
]
RateLimit = Annotated[int, msgspec.Meta(ge=1, le=10_000)]
AuthMode = Literal["none", "api_key", "bearer", "basic", "oauth2_client_creds"]
ToolName = Annotated[str, msgspec.Meta(pattern=r"^[A-Za-z0-9_-]{1,64}$")]
Description = Annotated[str, msgspec.Meta(max_length=10_000)]


def _value_problems(fields: dict[str, Any]) -> list[FieldProblem]:
    problems = []
    for key, kind in (("slug", Slug), ("baseUrl", HttpUrl)):
        value = fields.get(key)
        if isinstance(value, str):
            try:
                kind(value)
            except ValueError as exc:
                problems.append(FieldProblem((key,), str(exc)))
    return problems


class CreateServerBody(msgspec.Struct, rename="camel", forbid_unknown_fields=True):
    """A new server: `baseUrl` defaults to the spec's first absolute server URL."""

    name: Name
    slug: SlugText
    auth_mode: AuthMode
    auth_config: dict[str, Any] | None = None
    base_url: Url | None = None
    rate_limit_per_minute: RateLimit = 100

    @staticmethod
    def check_fields(fields: dict[str, Any]) -> list[FieldProblem]:
        return _value_problems(fields)


class UpdateServerBody(msgspec.Struct, rename="camel", forbid_unknown_fields=True):
    """Partial update; `isActive: true` re-checks the plan's active-server limit."""

    name: Name | msgspec.UnsetType = msgspec.UNSET
    slug: SlugText | msgspec.UnsetType = msgspec.UNSET
    auth_mode: AuthMode | msgspec.UnsetType = msgspec.UNSET
    auth_config: dict[str, Any] | msgspec.UnsetType = msgspec.UNSET
    base_url: Url | msgspec.UnsetType = msgspec.UNSET
    rate_limit_per_minute: RateLimit | msgspec.UnsetType = msgspec.UNSET
    is_active: bool | msgspec.UnsetType = msgspec.UNSET

    @staticmethod
    def check_fields(fields: dict[str, Any]) -> list[FieldProblem]:
        problems = _value_problems(fields)
        if not fields:
            problems.append(FieldProblem((), "no updatable field given"))
        return problems


class UpdateToolBody(msgspec.Struct, rename="camel", forbid_unknown_fields=True):
    """Partial update of a tool: activity, name (MCP tool name rules) or description."""

    is_active: bool | msgspec.UnsetType = msgspec.UNSET
    name: ToolName | msgspec.UnsetType = msgspec.UNSET
    description: Description | msgspec.UnsetType = msgspec.UNSET

    @staticmethod
    def check_fields(fields: dict[str, Any]) -> list[FieldProblem]:
        return [] if fields else [FieldProblem((), "no updatable field given")]

"""Request bodies of the spec routes."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec

from domain.errors import FieldProblem
from domain.values import HttpUrl

__all__ = ["CreateSpecBody", "UpdateSpecBody"]

Name = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
Version = Annotated[str, msgspec.Meta(min_length=1, max_length=50)]
# The pattern documents the http(s) rule that HttpUrl checks after decoding.
HTTP_URL_PATTERN = r"^[Hh][Tt][Tt][Pp][Ss]?://[A-Za-z0-9.-]+(:[0-9]{1,5})?(/\S*)?$"
Url = Annotated[
    str,
    msgspec.Meta(
        min_length=1,
        max_length=2000,
        extra_json_schema={"pattern": HTTP_URL_PATTERN},
    ),
]
RawSpec = dict[str, Any] | str


def _url_problems(fields: dict[str, Any], key: str) -> list[FieldProblem]:
    value = fields.get(key)
    if value is None:
        return []
    try:
        HttpUrl(value)
    except ValueError as exc:
        return [FieldProblem((key,), str(exc))]
    return []


class CreateSpecBody(msgspec.Struct, rename="camel", forbid_unknown_fields=True):
    """Import a document: `rawSpec` (object, or JSON/YAML text) and/or `sourceUrl`."""

    name: Name
    version: Version | None = None
    source_url: Url | None = None
    raw_spec: RawSpec | None = None

    @staticmethod
    def check_fields(fields: dict[str, Any]) -> list[FieldProblem]:
        problems = _url_problems(fields, "sourceUrl")
        if fields.get("rawSpec") is None and fields.get("sourceUrl") is None:
            problems.append(FieldProblem(("rawSpec",), "one of rawSpec and sourceUrl is required"))
        return problems


class UpdateSpecBody(msgspec.Struct, rename="camel", forbid_unknown_fields=True):
    """Partial update; a new `rawSpec` or `refetch: true` re-compiles the tools."""

    name: Name | msgspec.UnsetType = msgspec.UNSET
    version: Version | msgspec.UnsetType = msgspec.UNSET
    source_url: Url | msgspec.UnsetType | None = msgspec.UNSET
    raw_spec: RawSpec | msgspec.UnsetType = msgspec.UNSET
    refetch: bool | msgspec.UnsetType = msgspec.UNSET

    @staticmethod
    def check_fields(fields: dict[str, Any]) -> list[FieldProblem]:
        problems = _url_problems(fields, "sourceUrl")
        if not fields or fields == {"refetch": False}:
            problems.append(FieldProblem((), "no updatable field given"))
        return problems

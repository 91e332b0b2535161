"""The response envelope of API.md §1.1, for successes, pages and errors."""

from __future__ import annotations

from typing import Any, Generic, TypeVar

import msgspec

from entrypoints.observability.request_context import current_request_id

__all__ = [
    "CursorEnvelope",
    "CursorMeta",
    "Envelope",
    "ErrorBody",
    "ErrorEnvelope",
    "PageEnvelope",
    "PageMeta",
    "error_envelope",
]

T = TypeVar("T")


class ErrorBody(msgspec.Struct, frozen=True, rename="camel"):
    """`code` from the error table, a human `message`, optional machine-readable `details`,
    and the `requestId` that names the request in the server log (docs/api.md)."""

    code: str
    message: str
    details: Any = None
    request_id: str | None = None


class Envelope(msgspec.Struct, Generic[T], frozen=True):
    """`{"success": true, "data": ..., "error": null}`."""

    data: T
    success: bool = True
    error: None = None


class PageMeta(msgspec.Struct, frozen=True, rename="camel"):
    """Page-numbered list figures."""

    total: int
    page: int
    limit: int
    has_more: bool


class CursorMeta(msgspec.Struct, frozen=True, rename="camel"):
    """Cursor list figures: the next cursor or null."""

    cursor: str | None
    limit: int
    has_more: bool


class CursorEnvelope(msgspec.Struct, Generic[T], frozen=True):
    """A cursor-paged list of items with its meta (logs)."""

    data: list[T]
    meta: CursorMeta
    success: bool = True
    error: None = None


class PageEnvelope(msgspec.Struct, Generic[T], frozen=True):
    """A page of items with its meta."""

    data: list[T]
    meta: PageMeta
    success: bool = True
    error: None = None


class ErrorEnvelope(msgspec.Struct, frozen=True):
    """`{"success": false, "data": null, "error": {...}}`."""

    error: ErrorBody
    success: bool = False
    data: None = None


def error_envelope(
    code: str, message: str, details: Any = None, request_id: str | None = None
) -> ErrorEnvelope:
    """Build the error envelope; the request id defaults to the current request's."""
    body = ErrorBody(code, message, details, request_id or current_request_id())
    return ErrorEnvelope(error=body)

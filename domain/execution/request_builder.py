"""Tool arguments to the upstream HTTP request, following a tool's routing record."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import msgspec

from domain.errors import FieldProblem
from domain.execution.argument_errors import ArgumentError, argument_error
from domain.execution.body_encoding import encode_body
from domain.execution.header_styles import cookie_pairs, header_text
from domain.execution.path_styles import path_text
from domain.execution.query_styles import query_pairs
from domain.execution.upstream_request import UpstreamRequest
from domain.execution.url_joining import join_url
from domain.openapi.tools import ArgumentRoute, Routing

__all__ = ["build_request"]

_PLACEHOLDER = re.compile(r"\{([^{}]+)\}")
_DOT_SEGMENTS = {".": "%2E", "..": "%2E%2E"}


class _Parts:
    """What the arguments contribute, gathered before the request is assembled."""

    def __init__(self) -> None:
        self.path_values: dict[str, str] = {}
        self.query: list[str] = []
        self.headers: list[tuple[str, str]] = []
        self.cookies: list[str] = []
        self.body: tuple[bytes, str] | None = None


class _BodyOptions(msgspec.Struct, frozen=True):
    """How the body is encoded: media type, binary properties, multipart boundary."""

    media_type: str | None
    binary_fields: frozenset[str]
    boundary: str | None


def _fill_path(template: str, values: Mapping[str, str]) -> str:
    missing = [name for name in _PLACEHOLDER.findall(template) if name not in values]
    if missing:
        raise ArgumentError(
            "Missing path parameters: " + ", ".join(missing),
            [FieldProblem(path=(name,), message="is required") for name in missing],
            reason="invalid_arguments",
        )
    path = _PLACEHOLDER.sub(lambda match: values[match.group(1)], template)
    # A value of `.` or `..` would make a dot segment that clients and servers resolve away,
    # moving the call to another resource; encoded dots keep it a plain segment.
    return "/".join(_DOT_SEGMENTS.get(segment, segment) for segment in path.split("/"))


def _add(parts: _Parts, route: ArgumentRoute, value: Any, options: _BodyOptions) -> None:
    if route.location == "path":
        text = path_text(route, value)
        if not text:
            raise argument_error(route.name, "a path parameter cannot be empty")
        parts.path_values[route.wire_name] = text
    elif route.location == "query":
        parts.query.extend(query_pairs(route, value))
    elif route.location == "header":
        parts.headers.append((route.wire_name, header_text(route, value)))
    elif route.location == "cookie":
        parts.cookies.extend(cookie_pairs(route, value))
    elif (media_type := options.media_type or route.content_type) is not None:
        parts.body = encode_body(
            route.name,
            media_type,
            value,
            binary_fields=options.binary_fields,
            boundary=options.boundary,
        )


def build_request(
    routing: Routing,
    arguments: Mapping[str, Any],
    base_url: str,
    *,
    binary_fields: frozenset[str] = frozenset(),
    boundary: str | None = None,
) -> UpstreamRequest:
    """The upstream request for validated tool arguments.

    Args:
        routing: the tool's routing record (wire names, locations, styles, body media type).
        arguments: the tool call's arguments; null or missing optional ones are left out.
        base_url: the server's base URL; its path and query string are kept.
        binary_fields: body properties of `format: binary` (see `binary_body_fields`), sent as
            files in multipart bodies.
        boundary: the multipart boundary, best made from a random token by the caller.

    Raises:
        ArgumentError: a path parameter or required body is missing, or a value cannot be sent.
    """
    if not isinstance(arguments, Mapping):
        raise ArgumentError(
            "Tool arguments must be an object.",
            [FieldProblem(path=(), message="must be an object")],
            reason="invalid_arguments",
        )
    options = _BodyOptions(routing.body_media_type, binary_fields, boundary)
    parts = _Parts()
    for route in routing.arguments:
        value = arguments.get(route.name)
        if value is None:
            if route.location == "body" and routing.body_required:
                raise argument_error(route.name, "the request body is required")
            continue
        try:
            _add(parts, route, value, options)
        except (UnicodeEncodeError, msgspec.EncodeError, TypeError, OverflowError) as error:
            raise argument_error(route.name, "holds a value that cannot be encoded") from error
    if parts.cookies:
        parts.headers.append(("Cookie", "; ".join(parts.cookies)))
    body, content_type = parts.body if parts.body is not None else (None, None)
    return UpstreamRequest(
        method=routing.method.upper(),
        url=join_url(base_url, _fill_path(routing.path, parts.path_values), parts.query),
        headers=tuple(parts.headers),
        body=body,
        content_type=content_type,
    )

"""Request bodies and error responses in /schema/openapi.json for the /api operations.

Handlers read raw bytes so that every invalid field can be reported (API.md §1); this puts the
body's schema back into the document, with the error envelopes each route can answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import msgspec
from litestar.openapi.spec import (
    OpenAPIFormat,
    OpenAPIMediaType,
    OpenAPIResponse,
    Operation,
    Parameter,
    RequestBody,
    Schema,
)

from entrypoints.http.envelope import ErrorEnvelope

__all__ = ["api_operation", "public_operation"]

_ERRORS = {
    400: "VALIDATION_ERROR: invalid body, query or path parameter",
    401: "AUTH_ERROR: missing or invalid bearer token",
    403: "FORBIDDEN: not allowed (plan limits: details.reason = plan_limit)",
    404: "NOT_FOUND: no such resource for this user",
    409: "CONFLICT: a resource with that identity already exists",
    413: "The request body is too large",
    429: "RATE_LIMIT: too many requests (Retry-After says when to retry)",
    500: "INTERNAL_ERROR: a fault of ours (details.requestId)",
    502: "UPSTREAM_ERROR: an upstream could not be reached or answered unusably",
}
_DEFAULT_ERRORS = (400, 401, 404, 429, 500)


def _inline_schema(model: type[msgspec.Struct]) -> dict[str, Any]:
    # Fully inlined: Litestar regenerates components.schemas, and a "#/$defs/..." inside an
    # embedded schema would resolve against the document root. These models never recurse.
    schema = msgspec.json.schema(model, ref_template="{name}")
    defs: dict[str, Any] = schema.pop("$defs", {})

    def inline(node: Any) -> Any:
        if isinstance(node, dict):
            if "$ref" in node:
                return inline(defs[node["$ref"]])
            return {k: inline(v) for k, v in node.items()}
        if isinstance(node, list):
            return [inline(v) for v in node]
        return node

    result: dict[str, Any] = inline(schema)
    return result


_ERROR_SCHEMA = _inline_schema(ErrorEnvelope)


def _refine(parameter: Parameter, schema: Schema, limit_max: int) -> None:
    """Put the limits the handlers enforce (API.md §1, §6) into the parameter's schema."""
    if parameter.param_in == "path":
        # Ids are server-made UUIDs; anything else is a 400.
        if parameter.name.endswith("_id"):
            schema.format = OpenAPIFormat.UUID
        return
    if parameter.param_in != "query":
        return
    if schema.one_of:
        # A query string cannot carry null: an optional parameter is simply left out.
        branches = [b for b in schema.one_of if not (isinstance(b, Schema) and b.type == "null")]
        if len(branches) == 1 and isinstance(branches[0], Schema):
            schema.type, schema.one_of = branches[0].type, None
    extra = _QUERY_LIMITS.get(parameter.name, {})
    for key, value in extra.items():
        setattr(schema, key, value)
    if parameter.name == "limit":
        schema.maximum = limit_max


_QUERY_LIMITS: dict[str, dict[str, Any]] = {
    "page": {"minimum": 1},
    "limit": {"minimum": 1},
    "active": {"enum": ["true", "false"]},
    "statusCode": {"minimum": 100, "maximum": 599},
    "from": {"format": OpenAPIFormat.DATE_TIME},
    "to": {"format": OpenAPIFormat.DATE_TIME},
}


def api_operation(
    body: type[msgspec.Struct] | None = None,
    errors: tuple[int, ...] = _DEFAULT_ERRORS,
    limit_max: int = 100,
) -> type[Operation]:
    """An Operation class with `body` as the JSON request body and the error responses
    (`limit_max`: the largest `limit` a list route takes)."""
    body_schema = _inline_schema(body) if body is not None else None
    statuses = sorted(set(errors) | ({400, 413} if body is not None else set()))

    @dataclass
    class _ApiOperation(Operation):
        def __post_init__(self) -> None:
            if body_schema is not None:
                self.request_body = RequestBody(
                    required=True,
                    content={"application/json": OpenAPIMediaType(schema=body_schema)},  # type: ignore[arg-type]
                )
            responses = dict(self.responses or {})
            for status in statuses:
                # Replaces Litestar's own 400 (`{status_code, detail}`): every error is enveloped.
                responses[str(status)] = OpenAPIResponse(
                    description=_ERRORS[status],
                    content={"application/json": OpenAPIMediaType(schema=_ERROR_SCHEMA)},  # type: ignore[arg-type]
                )
            self.responses = responses
            for parameter in self.parameters or ():
                if isinstance(parameter, Parameter) and isinstance(parameter.schema, Schema):
                    _refine(parameter, parameter.schema, limit_max)

    return _ApiOperation


def public_operation(
    errors: dict[int, str] | None = None, error_body: type[msgspec.Struct] | None = None
) -> type[Operation]:
    """An Operation that needs no bearer token (health, webhooks), with its error responses.

    `security: []` overrides the document-wide BearerAuth requirement for this operation;
    `errors` maps each status to its description, answered with `error_body` as JSON.
    """
    error_schema = _inline_schema(error_body) if error_body is not None else None

    @dataclass
    class _PublicOperation(Operation):
        def __post_init__(self) -> None:
            self.security = []
            responses = dict(self.responses or {})
            for status, description in (errors or {}).items():
                content = None
                if error_schema is not None:
                    content = {"application/json": OpenAPIMediaType(schema=error_schema)}  # type: ignore[arg-type]
                responses.setdefault(
                    str(status), OpenAPIResponse(description=description, content=content)
                )
            self.responses = responses

    return _PublicOperation

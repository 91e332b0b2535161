"""Request bodies and error responses in /schema/openapi.json for the /api operations.

Handlers read raw bytes so that every invalid field can be reported (API.md §1); this puts the
body's schema back into the document, with the error envelopes each route can answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import msgspec
from litestar.openapi.spec import OpenAPIMediaType, OpenAPIResponse, Operation, RequestBody

from entrypoints.http.envelope import ErrorEnvelope

__all__ = ["api_operation"]

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


def api_operation(
    body: type[msgspec.Struct] | None = None, errors: tuple[int, ...] = _DEFAULT_ERRORS
) -> type[Operation]:
    """An Operation class with `body` as the JSON request body and the error responses."""
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
                responses.setdefault(
                    str(status),
                    OpenAPIResponse(
                        description=_ERRORS[status],
                        content={"application/json": OpenAPIMediaType(schema=_ERROR_SCHEMA)},  # type: ignore[arg-type]
                    ),
                )
            self.responses = responses

    return _ApiOperation

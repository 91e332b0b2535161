"""One mapping from errors to the contract's codes and statuses (API.md §1.2)."""

from __future__ import annotations

import logging
from typing import Any

from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException

from domain.errors import (
    AuthenticationFailed,
    Conflict,
    DomainError,
    Forbidden,
    InvalidRequest,
    NotFound,
    RateLimited,
    UpstreamUnavailable,
)
from entrypoints.http.envelope import error_envelope
from entrypoints.http.request_ids import request_id_of
from entrypoints.store_outage import (
    RETRY_AFTER_SECONDS,
    UNAVAILABLE_MESSAGE,
    is_store_unavailable,
)

__all__ = ["error_response", "exception_handlers"]

log = logging.getLogger("specmcp.http")

_STATUS_CODES = {
    400: "VALIDATION_ERROR",
    401: "AUTH_ERROR",
    403: "FORBIDDEN",
    404: "NOT_FOUND",
    405: "VALIDATION_ERROR",
    409: "CONFLICT",
    413: "VALIDATION_ERROR",
    415: "VALIDATION_ERROR",
    429: "RATE_LIMIT",
    502: "UPSTREAM_ERROR",
    503: "INTERNAL_ERROR",
}


def error_response(
    status: int,
    code: str,
    message: str,
    details: Any = None,
    headers: dict[str, str] | None = None,
    request_id: str | None = None,
) -> Response[Any]:
    """An error envelope response (naming the request when `request_id` is given)."""
    if request_id:
        headers = {**(headers or {}), "X-Request-Id": request_id}
    return Response(
        error_envelope(code, message, details, request_id),
        status_code=status,
        headers=headers,
        media_type="application/json",
    )


def _domain(request: Request[Any, Any, Any], exc: DomainError) -> Response[Any]:
    if isinstance(exc, InvalidRequest):
        details: Any = [{"path": list(p.path), "message": p.message} for p in exc.problems]
        if exc.reason:
            details = {"reason": exc.reason, "problems": details}
        return error_response(400, "VALIDATION_ERROR", exc.message, details or None)
    if isinstance(exc, AuthenticationFailed):
        return error_response(
            401, "AUTH_ERROR", exc.message, headers={"WWW-Authenticate": "Bearer"}
        )
    if isinstance(exc, Forbidden):
        return error_response(403, "FORBIDDEN", exc.message, exc.details)
    if isinstance(exc, NotFound):
        return error_response(404, "NOT_FOUND", exc.message)
    if isinstance(exc, Conflict):
        return error_response(409, "CONFLICT", exc.message, exc.details)
    if isinstance(exc, RateLimited):
        return error_response(
            429,
            "RATE_LIMIT",
            exc.message,
            exc.details,
            headers={"Retry-After": str(exc.retry_after_seconds)},
        )
    if isinstance(exc, UpstreamUnavailable):
        return error_response(502, "UPSTREAM_ERROR", exc.message, exc.details)
    return _internal(request, exc)


def _http(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    status = exc.status_code
    if status >= 500:
        return _internal(request, exc)
    code = _STATUS_CODES.get(status, "VALIDATION_ERROR")
    details: Any = None
    message = exc.detail or "Request refused."
    if isinstance(exc, ValidationException):
        details = [_litestar_problem(item) for item in (exc.extra or [])] or None
        message = "The request is invalid."
    elif status == 413:
        message = "The request body is too large."
    elif status == 404:
        message = "No such route."
    elif status == 405:
        message = "Method not allowed on this route."
    headers = dict(exc.headers or {})
    # Unmatched routes never pass the gate: the request is named here.
    rid = request_id_of(request.scope)
    return error_response(status, code, message, details, headers=headers or None, request_id=rid)


def _litestar_problem(item: Any) -> dict[str, Any]:
    if isinstance(item, dict):
        key = item.get("key")
        return {"path": [key] if key else [], "message": str(item.get("message", "invalid"))}
    return {"path": [], "message": str(item)}


def _internal(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    rid = request_id_of(request.scope)
    if is_store_unavailable(exc):
        # Passing and retryable (a database restart or failover): 503, no traceback flood.
        log.warning(
            "database unavailable on %s %s [%s]: %s",
            *(request.method, request.url.path, rid, type(exc).__name__),
        )
        return error_response(
            503,
            "INTERNAL_ERROR",
            UNAVAILABLE_MESSAGE,
            {"reason": "service_unavailable", "requestId": rid},
            {"Retry-After": str(RETRY_AFTER_SECONDS)},
            rid,
        )
    log.error("internal error on %s %s [%s]", request.method, request.url.path, rid, exc_info=exc)
    return error_response(
        500, "INTERNAL_ERROR", "Something went wrong on our side.", {"requestId": rid}, None, rid
    )


exception_handlers: dict[Any, Any] = {
    DomainError: _domain,
    HTTPException: _http,
    Exception: _internal,
}

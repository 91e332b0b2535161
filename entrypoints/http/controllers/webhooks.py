"""POST /api/webhooks/stripe and /api/webhooks/clerk (API.md §9): no token, no envelope.

Answers are `{"received": true}` or `{"error": "..."}`: the controller's own exception
handlers replace the envelope ones, so a refused delivery is a 400 (or 413, 503), never a 500
in disguise.
"""

from __future__ import annotations

import logging
from typing import Any

import msgspec
from litestar import Controller, Request, Response, post
from litestar.di import NamedDependency
from litestar.exceptions import HTTPException, ServiceUnavailableException

from application.ports.webhooks import IdentityEventVerifier, PaymentEventVerifier
from application.usecases.apply_identity_event import ApplyIdentityEvent
from application.usecases.apply_payment_event import ApplyPaymentEvent
from domain.errors import WebhookRejected
from entrypoints.http.dependencies import use_case
from entrypoints.http.openapi_docs import public_operation
from entrypoints.http.request_ids import request_id_of

__all__ = ["WEBHOOK_MAX_BODY_BYTES", "WebhookController"]

log = logging.getLogger("specmcp.webhooks")

WEBHOOK_MAX_BODY_BYTES = 1024 * 1024


class WebhookAck(msgspec.Struct, frozen=True):
    """The delivery was taken (applied now, applied before, or of a type we ignore)."""

    received: bool = True


class WebhookError(msgspec.Struct, frozen=True):
    """Why the delivery was refused."""

    error: str


def _rejected(_: Request[Any, Any, Any], exc: WebhookRejected) -> Response[WebhookError]:
    return Response(WebhookError(exc.message), status_code=400)


def _http(_: Request[Any, Any, Any], exc: HTTPException) -> Response[WebhookError]:
    message = "The body is too large." if exc.status_code == 413 else str(exc.detail)
    return Response(WebhookError(message), status_code=exc.status_code)


def _internal(request: Request[Any, Any, Any], exc: Exception) -> Response[WebhookError]:
    # Not a 400: the provider must retry a delivery that failed on our side.
    log.error("webhook failed [%s]", request_id_of(request.scope), exc_info=exc)
    return Response(WebhookError("Internal error; retry later."), status_code=500)


def _headers(request: Request[Any, Any, Any]) -> dict[str, str]:
    return {key.lower(): value for key, value in request.headers.items()}


_WEBHOOK_ERRORS = {
    400: "Missing or bad signature, or an unreadable event",
    413: "The body is over 1 MiB",
    500: "A fault of ours; the provider retries",
    503: "This webhook is not configured (no signing secret)",
}


def _configured(verifier: Any, what: str) -> Any:
    if verifier is None:
        raise ServiceUnavailableException(f"{what} webhooks are not configured.")
    return verifier


class WebhookController(Controller):
    """Provider deliveries, verified from the raw body."""

    path = "/api/webhooks"
    tags = ["webhooks"]
    security = []
    dependencies = {
        "apply_payment_event": use_case("apply_payment_event"),
        "apply_identity_event": use_case("apply_identity_event"),
        "stripe_events": use_case("stripe_events"),
        "clerk_events": use_case("clerk_events"),
    }
    exception_handlers = {
        WebhookRejected: _rejected,
        HTTPException: _http,
        Exception: _internal,
    }

    @post(
        "/stripe",
        status_code=200,
        summary="Stripe events (Stripe-Signature)",
        request_max_body_size=WEBHOOK_MAX_BODY_BYTES,
        operation_class=public_operation(_WEBHOOK_ERRORS, WebhookError),
    )
    async def stripe(
        self,
        request: Request[Any, Any, Any],
        stripe_events: NamedDependency[Any],  # PaymentEventVerifier | None
        apply_payment_event: NamedDependency[ApplyPaymentEvent],
    ) -> WebhookAck:
        verifier: PaymentEventVerifier = _configured(stripe_events, "Stripe")
        event = verifier.verify(await request.body(), _headers(request))
        await apply_payment_event(event)
        return WebhookAck()

    @post(
        "/clerk",
        status_code=200,
        summary="Clerk events (Svix-signed)",
        request_max_body_size=WEBHOOK_MAX_BODY_BYTES,
        operation_class=public_operation(_WEBHOOK_ERRORS, WebhookError),
    )
    async def clerk(
        self,
        request: Request[Any, Any, Any],
        clerk_events: NamedDependency[Any],  # IdentityEventVerifier | None
        apply_identity_event: NamedDependency[ApplyIdentityEvent],
    ) -> WebhookAck:
        verifier: IdentityEventVerifier = _configured(clerk_events, "Clerk")
        event = verifier.verify(await request.body(), _headers(request))
        await apply_identity_event(event)
        return WebhookAck()

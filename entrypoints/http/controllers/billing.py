"""POST /api/billing/checkout and /api/billing/portal (API.md §7)."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, post
from litestar.di import NamedDependency, Provide

from application.usecases.billing_sessions import OpenBillingPortal, StartCheckout
from domain.users import User
from entrypoints.http.billing_bodies import CheckoutBody, CheckoutView, PortalView
from entrypoints.http.dependencies import current_user, use_case
from entrypoints.http.envelope import Envelope
from entrypoints.http.openapi_docs import api_operation
from entrypoints.http.strict_body import decode_strict

__all__ = ["BillingController"]


class BillingController(Controller):
    """Hosted payment pages: checkout for a paid plan, and the billing portal."""

    path = "/api/billing"
    tags = ["billing"]
    dependencies = {
        "user": Provide(current_user, sync_to_thread=False),
        "start_checkout": use_case("start_checkout"),
        "open_billing_portal": use_case("open_billing_portal"),
    }

    @post(
        "/checkout",
        status_code=200,
        summary="Start a checkout for a paid plan",
        operation_class=api_operation(CheckoutBody, (400, 401, 409, 429, 500, 502)),
    )
    async def checkout(
        self,
        request: Request[Any, Any, Any],
        user: NamedDependency[User],
        start_checkout: NamedDependency[StartCheckout],
    ) -> Envelope[CheckoutView]:
        body = decode_strict(CheckoutBody, await request.body())
        session = await start_checkout(user, body.plan_id)
        return Envelope(CheckoutView(url=session.url, session_id=session.session_id))

    @post(
        "/portal",
        status_code=200,
        summary="Open the billing portal",
        operation_class=api_operation(None, (401, 404, 429, 500, 502)),
    )
    async def portal(
        self,
        user: NamedDependency[User],
        open_billing_portal: NamedDependency[OpenBillingPortal],
    ) -> Envelope[PortalView]:
        return Envelope(PortalView(url=await open_billing_portal(user)))

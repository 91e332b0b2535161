"""Pages outside /api: where payment pages return to, and the fake provider's own pages.

The fake pages exist only with `SPECMCP_PAYMENTS=fake`: paying (or cancelling) there makes the
fake gateway emit the events Stripe would, applied by the same use case as the webhook.
"""

from __future__ import annotations

from html import escape
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Redirect

from adapters.payments.fake_payment_gateway import FakePaymentGateway

__all__ = ["BillingPagesController"]


def _page(title: str, body: str) -> Response[str]:
    html = (
        "<!doctype html><html><head><meta charset='utf-8'>"
        f"<title>{escape(title)}</title></head><body style='font-family:sans-serif'>"
        f"<h1>{escape(title)}</h1>{body}</body></html>"
    )
    return Response(html, media_type="text/html")


def _fake(request: Request[Any, Any, Any]) -> FakePaymentGateway:
    gateway = request.app.state.container.payments()
    if not isinstance(gateway, FakePaymentGateway):
        raise NotFoundException()
    return gateway


class BillingPagesController(Controller):
    """Return pages, and the fake checkout and portal."""

    path = "/billing"
    include_in_schema = False

    @get("/done", sync_to_thread=False)
    def done(self) -> Response[str]:
        return _page(
            "Thank you", "<p>Your plan is updated as soon as the payment is confirmed.</p>"
        )

    @get("/canceled", sync_to_thread=False)
    def canceled(self) -> Response[str]:
        return _page("Checkout canceled", "<p>Nothing was charged.</p>")

    @get("/fake-checkout/{session_id:str}")
    async def fake_checkout(
        self, request: Request[Any, Any, Any], session_id: FromPath[str]
    ) -> Response[str]:
        checkout = _fake(request).checkout(session_id)
        return _page(
            f"Subscribe to {checkout.plan_id} (test mode)",
            "<p>No payment is taken: this is the local fake payment provider.</p>"
            f"<form method='post'><button type='submit'>Pay for {escape(checkout.plan_id)}"
            "</button></form>",
        )

    @post("/fake-checkout/{session_id:str}", status_code=303)
    async def complete_fake_checkout(
        self, request: Request[Any, Any, Any], session_id: FromPath[str]
    ) -> Redirect:
        success_url = await _fake(request).complete_checkout(session_id)
        return Redirect(success_url, status_code=303)

    @get("/fake-portal/{customer_id:str}")
    async def fake_portal(
        self, request: Request[Any, Any, Any], customer_id: FromPath[str]
    ) -> Response[str]:
        subscription = _fake(request).subscription_of(customer_id)
        if subscription is None:
            return _page("Billing (test mode)", "<p>No active subscription.</p>")
        return _page(
            "Billing (test mode)",
            "<form method='post'><button type='submit'>Cancel the subscription</button></form>",
        )

    @post("/fake-portal/{customer_id:str}", status_code=303)
    async def cancel_in_fake_portal(
        self, request: Request[Any, Any, Any], customer_id: FromPath[str]
    ) -> Redirect:
        gateway = _fake(request)
        subscription = gateway.subscription_of(customer_id)
        if subscription is not None:
            await gateway.cancel_subscription(subscription)
        return Redirect(f"/billing/fake-portal/{customer_id}", status_code=303)

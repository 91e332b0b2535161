"""StartCheckout and OpenBillingPortal: hosted payment pages for the signed-in user."""

from __future__ import annotations

import msgspec

from application.ports.clock import Clock
from application.ports.payments import CheckoutSession, PaymentGateway
from application.ports.unit_of_work import UnitOfWorkFactory
from domain.billing.subscriptions import Subscription
from domain.errors import Conflict, NotFound
from domain.users import User

__all__ = ["BillingReturnUrls", "OpenBillingPortal", "StartCheckout"]


class BillingReturnUrls(msgspec.Struct, frozen=True, kw_only=True):
    """Where the provider's pages send the user back to."""

    success: str
    cancel: str
    portal_return: str


class StartCheckout:
    """A checkout for a paid plan, reusing the user's provider customer.

    Raises:
        Conflict: already on that plan, or on another paid plan (changed in the portal).
        UpstreamUnavailable: the provider failed.
    """

    def __init__(
        self,
        uow: UnitOfWorkFactory,
        gateway: PaymentGateway,
        urls: BillingReturnUrls,
        clock: Clock,
    ) -> None:
        self._uow = uow
        self._gateway = gateway
        self._urls = urls
        self._clock = clock

    async def __call__(self, user: User, plan_id: str) -> CheckoutSession:
        async with self._uow() as uow:
            stored = await uow.users.get(user.id) or user
            subscription = await uow.subscriptions.get(user.id)
        if stored.plan == plan_id:
            raise Conflict(
                f"You are already on the {plan_id} plan.",
                details={"reason": "already_subscribed", "plan": plan_id},
            )
        if stored.plan != "free":
            # A second checkout would start a second subscription billed beside the first.
            raise Conflict(
                "You already have a paid plan; change it in the billing portal.",
                details={"reason": "already_subscribed", "plan": stored.plan},
            )
        customer_id = subscription.customer_id if subscription else None
        if customer_id is None:
            customer_id = await self._stored_customer(stored)
        return await self._gateway.create_checkout_session(
            stored, plan_id, customer_id, self._urls.success, self._urls.cancel
        )

    async def _stored_customer(self, user: User) -> str:
        # The provider call happens outside any transaction; the gateway's idempotent
        # request makes two racing first checkouts get the same customer anyway.
        created = await self._gateway.ensure_customer(user)
        async with self._uow() as uow:
            row = await uow.subscriptions.lock(user.id)
            if row is not None and row.customer_id is not None:
                return row.customer_id
            now = self._clock.now()
            row = row or Subscription(user_id=user.id, updated_at=now)
            await uow.subscriptions.save(
                msgspec.structs.replace(row, customer_id=created, updated_at=now)
            )
            await uow.commit()
        return created


class OpenBillingPortal:
    """The provider's billing portal for the user's customer.

    Raises:
        NotFound: the user has no provider customer yet.
        UpstreamUnavailable: the provider failed.
    """

    def __init__(
        self, uow: UnitOfWorkFactory, gateway: PaymentGateway, urls: BillingReturnUrls
    ) -> None:
        self._uow = uow
        self._gateway = gateway
        self._urls = urls

    async def __call__(self, user: User) -> str:
        async with self._uow() as uow:
            subscription = await uow.subscriptions.get(user.id)
        if subscription is None or subscription.customer_id is None:
            raise NotFound("Stripe customer")
        return await self._gateway.create_portal_session(
            subscription.customer_id, self._urls.portal_return
        )

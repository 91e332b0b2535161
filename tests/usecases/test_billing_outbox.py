"""Cancellations and overage reach the provider through the durable outbox, exactly once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import msgspec
import pytest

from adapters.payments.fake_payment_gateway import FAKE_PRICES, FakePaymentGateway
from adapters.persistence.memory import MemoryUnitOfWorkFactory
from adapters.system.id_generators import Uuid4Generator
from adapters.system.system_clock import FixedClock
from application.usecases.apply_identity_event import ApplyIdentityEvent
from application.usecases.apply_payment_event import ApplyPaymentEvent
from application.usecases.deliver_billing_outbox import DeliverBillingOutbox
from application.usecases.report_overage import ReportOverage
from domain.billing.identity_events import IdentityEvent
from domain.billing.payment_events import PaymentEvent
from domain.errors import UpstreamUnavailable
from domain.users import User

T0 = datetime(2026, 12, 20, 12, 0, tzinfo=UTC)


class FlakyGateway(FakePaymentGateway):
    """The fake provider, down until told otherwise."""

    down = True

    async def cancel_subscription(self, subscription_id: str) -> None:
        if self.down:
            raise UpstreamUnavailable("Stripe could not be reached.", reason="connect")
        await super().cancel_subscription(subscription_id)

    async def report_overage(self, *args: object) -> None:
        if self.down:
            raise UpstreamUnavailable("Stripe could not be reached.", reason="connect")
        await super().report_overage(*args)  # type: ignore[arg-type]


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(T0)


@pytest.fixture
def uow() -> MemoryUnitOfWorkFactory:
    return MemoryUnitOfWorkFactory()


@pytest.fixture
def world(uow, clock):
    apply = ApplyPaymentEvent(uow, FAKE_PRICES, clock)
    gateway = FlakyGateway("http://app.test", clock, apply)
    outbox = DeliverBillingOutbox(uow, gateway, clock)
    identity = ApplyIdentityEvent(uow, outbox, clock, Uuid4Generator())
    return apply, gateway, outbox, identity


async def _starter_user(uow, apply, clock, user="user_a") -> None:
    async with uow() as tx:
        await tx.users.add(User(id=user, created_at=T0, updated_at=T0))
        await tx.commit()
    await apply(
        PaymentEvent(
            id=f"evt_{user}",
            type="customer.subscription.created",
            created=clock.now(),
            user_id=user,
            customer_id=f"cus_{user}",
            subscription_id=f"sub_{user}",
            status="active",
            price_id="price_fake_starter",
        )
    )


async def test_a_cancellation_queued_while_stripe_is_down_is_retried_until_delivered(
    uow, clock, world
):
    apply, gateway, outbox, identity = world
    await _starter_user(uow, apply, clock)

    await identity(IdentityEvent(id="msg_1", type="user.deleted", user_id="user_a"))

    async with uow() as tx:
        [queued] = await tx.outbox.due(clock.now() + timedelta(hours=1), 10)
    assert (queued.attempts, queued.delivered_at, gateway.cancelled) == (1, None, [])
    assert await outbox() == 0  # not due yet: backing off

    gateway.down = False
    clock.advance(seconds=11)
    assert await outbox() == 1
    assert gateway.cancelled == ["sub_user_a"]
    clock.advance(hours=3)
    assert await outbox() == 0  # delivered once, never again


async def test_overage_is_reported_as_deltas_with_idempotent_identifiers(uow, clock, world):
    apply, gateway, outbox, _ = world
    await _starter_user(uow, apply, clock)
    calls = {("user_a", "2026-12"): 50_000 + 120}
    uow.usage_calls = lambda: calls
    report = ReportOverage(uow, clock, Uuid4Generator())
    gateway.down = False

    assert await report() == 1
    assert await report() == 0  # nothing new
    calls[("user_a", "2026-12")] += 30
    assert await report() == 1
    await outbox()

    assert sorted((k, q) for k, (_, q, _) in gateway.meter_events.items()) == [
        ("overage:cus_user_a:2026-12:120", 120),
        ("overage:cus_user_a:2026-12:150", 30),
    ]


async def test_a_free_user_owes_no_overage(uow, clock, world):
    async with uow() as tx:
        await tx.users.add(User(id="user_f", created_at=T0, updated_at=T0))
        await tx.commit()
    uow.usage_calls = lambda: {("user_f", "2026-12"): 5_000}

    assert await ReportOverage(uow, clock, Uuid4Generator())() == 0


async def test_concurrent_duplicates_of_one_payment_event_apply_once(uow, clock, world):
    import asyncio

    apply, *_ = world
    async with uow() as tx:
        await tx.users.add(User(id="user_a", created_at=T0, updated_at=T0))
        await tx.commit()
    event = PaymentEvent(
        id="evt_1",
        type="customer.subscription.created",
        created=T0,
        user_id="user_a",
        subscription_id="sub_1",
        status="active",
        price_id="price_fake_pro",
    )

    applied = await asyncio.gather(*(apply(event) for _ in range(20)))

    assert sorted(applied) == [False] * 19 + [True]
    async with uow() as tx:
        assert msgspec.structs.astuple(await tx.users.get("user_a"))[1] == "pro"

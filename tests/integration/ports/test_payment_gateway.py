"""One contract for the PaymentGateway port, run against the in-memory fake and the Stripe adapter (the real
`stripe` SDK against the local Stripe stand-in): idempotent checkouts, reading a checkout back, expiring it,
idempotent refunds, unknown checkouts."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

import pytest

from madoguchi.payments.store import PaymentGateway, UnknownCheckout

Pay = Callable[[str], None]


@pytest.fixture(params=["memory", "stripe"])
def gateway(request: pytest.FixtureRequest) -> Iterator[tuple[PaymentGateway, Pay]]:
    if request.param == "memory":
        from tests.fakes.payments import MemoryPayments

        memory = MemoryPayments()

        def paid(session_id: str) -> None:
            memory.pay(session_id)

        yield memory, paid
        return
    from infra.local.stripe_standin import StripeStandIn
    from madoguchi.payments.stripe import StripePayments

    standin = StripeStandIn(api_key="sk_test_contract", webhook_secret="whsec_contract").start()
    keys = {"api_key": "sk_test_contract", "webhook_secret": "whsec_contract"}
    try:

        def pay(session_id: str) -> None:
            assert standin.pay(session_id, "4242424242424242")[0]

        yield StripePayments(lambda fresh=False: keys, standin.url), pay
    finally:
        standin.stop()


def checkout(gateway: PaymentGateway, key: str = "k1", amount: int = 600) -> str:
    return gateway.create_checkout(
        amount=amount,
        reference="application:a-1",
        purpose="application_fee",
        description="住民票の写し",
        success_url="https://city.example/apply/?id=a-1&paid=1",
        cancel_url="https://city.example/apply/?id=a-1",
        expires_at=datetime.now(UTC) + timedelta(minutes=30),
        idempotency_key=key,
    ).session_id


def test_the_same_key_makes_one_checkout(gateway: tuple[PaymentGateway, Pay]) -> None:
    payments, _ = gateway
    assert checkout(payments, "k1") == checkout(payments, "k1") != checkout(payments, "k2")


def test_a_checkout_reads_back_open_then_paid(gateway: tuple[PaymentGateway, Pay]) -> None:
    payments, pay = gateway
    session_id = checkout(payments)
    state = payments.checkout_state(session_id)
    assert (state.status, state.paid, state.amount, state.reference) == ("open", False, 600, "application:a-1")
    pay(session_id)
    state = payments.checkout_state(session_id)
    assert state.status == "complete" and state.paid and state.payment_intent_id


def test_an_expired_checkout_cannot_be_paid_and_a_paid_one_stays_paid(gateway: tuple[PaymentGateway, Pay]) -> None:
    payments, pay = gateway
    open_one = checkout(payments, "k1")
    assert payments.expire_checkout(open_one).status == "expired"
    assert not payments.checkout_state(open_one).paid
    paid_one = checkout(payments, "k2")
    pay(paid_one)
    assert payments.expire_checkout(paid_one).paid


def test_a_refund_with_the_same_key_is_made_once(gateway: tuple[PaymentGateway, Pay]) -> None:
    payments, pay = gateway
    session_id = checkout(payments)
    pay(session_id)
    intent = payments.checkout_state(session_id).payment_intent_id
    assert intent is not None
    first = payments.refund(intent, 300, "application:a-1", "refund-1")
    assert payments.refund(intent, 300, "application:a-1", "refund-1") == first


def test_an_unknown_checkout_is_unknown(gateway: tuple[PaymentGateway, Pay]) -> None:
    payments, _ = gateway
    with pytest.raises(UnknownCheckout):
        payments.checkout_state("cs_test_nope")

"""Issue 13 in the reservations context, on the in-memory store (the same rules as DynamoDB, by the port contract
tests): per-account caps that parallel requests cannot pass, a rate limit per caller, retried requests that change
nothing more, and refunds that survive a failing Stripe. Each test failed before its fix."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta

import pytest

from infra.seed.facilities import facilities
from madoguchi.reservations import lottery
from madoguchi.reservations import service as logic
from madoguchi.reservations.models import (
    ApplicationRequest,
    CancelRequest,
    CheckoutRequest,
    HoldRequest,
    NotCancellable,
    RateLimited,
    ReductionCategory,
    ReductionRequest,
    RoundRequest,
    SlotRef,
    Status,
    TooManyEntries,
    TooManyHolds,
    TooManyOpen,
)
from madoguchi.reservations.service.common import WINDOW_SECONDS, WRITES_PER_WINDOW
from madoguchi.shared.auth import Caller, Role
from madoguchi.shared.settings import settings
from tests.fakes.payments import MemoryPayments
from tests.fakes.reservations import MemoryReservationStore, ReservationOutbox

NOW = datetime(2030, 5, 1, 1, 0, tzinfo=UTC)  # Wednesday 1 May 2030, 10:00 in Tokyo
ALICE = Caller(sub="alice", role=Role.RESIDENT)
BOB = Caller(sub="bob", role=Role.RESIDENT)
STAFF = Caller(sub="s", role=Role.STAFF, department="shisetsu")
STARTS = ["07:00", "09:00", "11:00", "13:00", "15:00", "17:00", "19:00"]


@pytest.fixture(autouse=True)
def site(monkeypatch):
    monkeypatch.setenv("SITE_URL", "http://site")
    settings.cache_clear()
    yield
    settings.cache_clear()


@pytest.fixture
def store() -> MemoryReservationStore:
    store = MemoryReservationStore()
    for facility in facilities():  # tight caps, as a facility may set them
        store.put_facility(facility.model_copy(update={"max_holds": 2, "max_open": 6, "max_lottery_entries": 4}))
    return store


@pytest.fixture
def payments() -> MemoryPayments:
    return MemoryPayments()


def deps(store, payments=None):
    return logic.ReservationDeps(store=store, payments=payments or MemoryPayments())


def request(start="09:00", unit="court-1", day=date(2030, 5, 20)) -> HoldRequest:
    return HoldRequest(facility_id="kasumi-tennis", date=day, slots=[SlotRef(unit_id=unit, start=start)])


def hold(store, body=None, caller=ALICE, now=NOW, key=None, payments=None):
    return logic.hold(body or request(), caller, deps(store, payments), now, hold_minutes=15, idempotency_key=key)


def paid(store, payments, body, caller=ALICE, now=NOW):
    held = hold(store, body, caller, now)
    checkout = logic.checkout(held.id, CheckoutRequest(), caller, deps(store, payments), now, lang="ja")
    return logic.settle(payments.pay(checkout.reservation.checkout_session_id), deps(store, payments), now)


# --- flaw 6: per-account caps ----------------------------------------------------------------------------------


def test_unpaid_holds_are_capped_per_account_and_facility(store):
    tennis = store.facility("kasumi-tennis")
    for start in STARTS[: tennis.max_holds]:
        hold(store, request(start))
    with pytest.raises(TooManyHolds):
        hold(store, request(STARTS[tennis.max_holds]))
    assert len(store.by_owner("alice")) == tennis.max_holds  # nothing written by the refusal
    assert all(
        r.unit_id != "court-1" or r.start != STARTS[tennis.max_holds]
        for r in store.slots("kasumi-tennis", date(2030, 5, 20))
    )
    hold(store, request(STARTS[tennis.max_holds]), caller=BOB)  # another account is not affected
    # an expired hold no longer counts
    hold(store, request(STARTS[tennis.max_holds]), now=NOW + timedelta(minutes=16))


def test_open_reservations_are_capped_and_past_days_do_not_count(store, payments):
    tennis = store.facility("kasumi-tennis")
    store.put_facility(tennis.model_copy(update={"max_open": 3}))
    for i in range(3):
        paid(store, payments, request(day=date(2030, 5, 2 + i)))
    with pytest.raises(TooManyOpen):
        hold(store, request(day=date(2030, 5, 21)))
    # two days later the first day has passed: one place again
    hold(store, request(day=date(2030, 5, 21)), now=NOW + timedelta(days=2))


def test_parallel_holds_of_one_account_cannot_pass_the_cap(store):
    """Many requests at once (the reproduced abuse sent 60 in 4 s): only max_holds succeed."""
    tennis = store.facility("kasumi-tennis")
    outcomes: list[object] = []
    barrier = threading.Barrier(14, timeout=30)

    def attempt(i: int) -> None:
        barrier.wait()
        try:
            outcomes.append(hold(store, request(STARTS[i % 7], unit=f"court-{i // 7 + 1}")))
        except Exception as e:
            outcomes.append(e)

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(14)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    held = [r for r in store.by_owner("alice") if r.status is Status.HELD]
    assert len(held) == tennis.max_holds
    refused = [o for o in outcomes if isinstance(o, Exception)]
    assert len(refused) == 14 - tennis.max_holds and all(isinstance(o, TooManyHolds) for o in refused)


def test_lottery_entries_are_capped_per_account_and_round(store):
    dome = store.facility("yokkaichi-dome")
    body = RoundRequest(opens_at=NOW - timedelta(days=1), closes_at=NOW + timedelta(hours=1), payment_days=7)
    lottery.open_round("yokkaichi-dome", "2030-06", body, STAFF, deps(store))
    starts = dome.slot_starts()

    def apply(i: int, caller=ALICE):
        units = ["full", "half-north", "half-south"]  # Wednesday 5 June 2030: open
        entry = ApplicationRequest(
            facility_id="yokkaichi-dome",
            date=date(2030, 6, 5),
            unit_id=units[i // len(starts)],
            start=starts[i % len(starts)],
            group_name="g",
        )
        return lottery.apply(entry, caller, deps(store), NOW)

    for i in range(dome.max_lottery_entries):
        apply(i)
    with pytest.raises(TooManyEntries):
        apply(dome.max_lottery_entries)
    assert len(store.applications_of("alice")) == dome.max_lottery_entries
    apply(dome.max_lottery_entries, caller=BOB)


# --- flaw 6: rate limit per caller -----------------------------------------------------------------------------


def test_writes_are_rate_limited_per_caller_with_a_retry_after(store):
    body = ReductionRequest(category=ReductionCategory.SENIOR, group_name="老人クラブ")
    for _ in range(WRITES_PER_WINDOW):
        logic.request_reduction(body, ALICE, deps(store), NOW)
    with pytest.raises(RateLimited) as limited:
        logic.request_reduction(body, ALICE, deps(store), NOW + timedelta(seconds=10))
    assert 1 <= limited.value.retry_after <= WINDOW_SECONDS
    assert len(store.reductions_of("alice")) == WRITES_PER_WINDOW  # the refused write wrote nothing
    logic.request_reduction(body, BOB, deps(store), NOW)  # another caller is not limited
    logic.request_reduction(body, ALICE, deps(store), NOW + timedelta(seconds=WINDOW_SECONDS))  # next window


# --- flaw 7: retried requests ----------------------------------------------------------------------------------


def test_a_retried_hold_with_the_same_key_returns_the_first_hold(store):
    first = hold(store, key="k-1")
    again = hold(store, key="k-1")
    assert again.id == first.id and len(store.by_owner("alice")) == 1
    # the key is the caller's own: bob's request with the same key is his own hold
    other = hold(store, request("11:00"), caller=BOB, key="k-1")
    assert other.id != first.id and other.owner == "bob"
    # without a key, a second request is a second request
    assert hold(store, request("13:00")).id != first.id


def test_parallel_retries_of_one_hold_create_one(store):
    results: list[str] = []
    barrier = threading.Barrier(6, timeout=30)

    def attempt() -> None:
        barrier.wait()
        results.append(hold(store, key="same").id)

    threads = [threading.Thread(target=attempt) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(set(results)) == 1 and len(results) == 6 and len(store.by_owner("alice")) == 1


def test_a_retried_cancel_answers_the_first_result_and_refunds_once(store, payments):
    booked = paid(store, payments, request(day=date(2030, 5, 20)))
    first = logic.cancel(booked.id, CancelRequest(), ALICE, deps(store, payments), NOW, idempotency_key="c-1")
    again = logic.cancel(booked.id, CancelRequest(), ALICE, deps(store, payments), NOW, idempotency_key="c-1")
    assert again.refund == first.refund == booked.amount and again.reservation.id == booked.id
    ReservationOutbox(store, payments).deliver(NOW)
    assert payments.refunds == [(booked.payment_intent_id, booked.amount, f"cancel-{booked.id}")]
    with pytest.raises(NotCancellable):  # a new cancellation (another key) of a cancelled reservation
        logic.cancel(booked.id, CancelRequest(), ALICE, deps(store, payments), NOW, idempotency_key="c-2")


def test_a_retried_checkout_answers_the_same_session(store, payments):
    held = hold(store)
    first = logic.checkout(held.id, CheckoutRequest(), ALICE, deps(store, payments), NOW, lang="ja")
    again = logic.checkout(held.id, CheckoutRequest(), ALICE, deps(store, payments), NOW, lang="ja")
    assert again.checkout_url == first.checkout_url and len(payments.sessions) == 1


def test_a_retried_reduction_request_and_lottery_entry_add_nothing(store):
    body = ReductionRequest(category=ReductionCategory.SCHOOL, group_name="PTA")
    first = logic.request_reduction(body, ALICE, deps(store), NOW, idempotency_key="r-1")
    assert logic.request_reduction(body, ALICE, deps(store), NOW, idempotency_key="r-1") == first
    assert len(store.reductions_of("alice")) == 1
    lottery.open_round(
        "yokkaichi-dome",
        "2030-06",
        RoundRequest(opens_at=NOW - timedelta(days=1), closes_at=NOW + timedelta(hours=1), payment_days=7),
        STAFF,
        deps(store),
    )
    entry = ApplicationRequest(
        facility_id="yokkaichi-dome", date=date(2030, 6, 5), unit_id="full", start="09:00", group_name="g"
    )
    applied = lottery.apply(entry, ALICE, deps(store), NOW, idempotency_key="l-1")
    assert lottery.apply(entry, ALICE, deps(store), NOW, idempotency_key="l-1") == applied
    assert len(store.applications_of("alice")) == 1


# --- flaw 8: a refund survives a failing Stripe ------------------------------------------------------------------


class FailingRefunds(MemoryPayments):
    """Stripe's refund endpoint failing (or timing out) until told to recover."""

    def __init__(self) -> None:
        super().__init__()
        self.failing = True
        self.attempts: list[str] = []

    def refund(self, payment_intent_id: str, amount: int, reference: str, idempotency_key: str) -> str:
        self.attempts.append(idempotency_key)
        if self.failing:
            raise TimeoutError("stripe did not answer")
        return super().refund(payment_intent_id, amount, reference, idempotency_key)


def test_a_refund_stripe_fails_to_make_stays_owed_and_the_worker_sends_it_once():
    store, payments = MemoryReservationStore(), FailingRefunds()
    for facility in facilities():
        store.put_facility(facility)
    outbox = ReservationOutbox(store, payments)
    booked = paid(store, payments, request(day=date(2030, 5, 20)))
    result = logic.cancel(booked.id, CancelRequest(), ALICE, deps(store, payments), NOW)
    cancelled = store.get(booked.id)
    assert cancelled.status is Status.CANCELLED and result.refund == booked.amount
    assert cancelled.refund_pending == booked.amount and payments.attempts == []  # the request calls no Stripe
    refund_effect = f"reservations:{booked.id}:refund"
    assert refund_effect in {e.id for e in outbox.owed()}
    # the worker tries while Stripe still fails, with the same key, and the refund stays owed
    assert outbox.deliver(NOW)[refund_effect] == "retry"
    assert outbox.redrive(NOW + timedelta(minutes=30))["retry"] == 1
    assert store.get(booked.id).refund_pending == booked.amount and payments.refunds == []
    payments.failing = False
    assert outbox.redrive(NOW + timedelta(hours=1))["done"] == 1
    assert payments.refunds == [(booked.payment_intent_id, booked.amount, f"cancel-{booked.id}")]
    assert set(payments.attempts) == {f"cancel-{booked.id}"}
    assert store.get(booked.id).refund_pending == 0 and refund_effect not in {e.id for e in outbox.owed()}
    assert outbox.redrive(NOW + timedelta(days=1))["done"] == 0  # nothing owed any more
    assert len(payments.refunds) == 1

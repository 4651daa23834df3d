"""Reservation rules on the in-memory store and payment fakes: prices, holds, settlement (in time, late,
refunded), expiry, reconciliation, cancellation policy, closures, lottery promotion."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import pytest

from infra.seed.facilities import facilities
from madoguchi.metrics.models import DomainEvent
from madoguchi.reservations import lottery, sweeper
from madoguchi.reservations import service as logic
from madoguchi.reservations.facilities import Residency
from madoguchi.reservations.models import (
    ApplicationRequest,
    CancelRequest,
    CheckoutRequest,
    ClosureRequest,
    HoldRequest,
    NotCancellable,
    PaymentStatus,
    RoundRequest,
    SlotRef,
    SlotTaken,
    SlotUnavailable,
    Status,
)
from madoguchi.shared.auth import Caller, Role
from madoguchi.shared.errors import Forbidden, InvalidInput, NotFound, Unauthorized
from madoguchi.shared.settings import settings
from tests.fakes.payments import MemoryPayments
from tests.fakes.reservations import MemoryReservationStore, ReservationOutbox

NOW = datetime(2030, 5, 1, 1, 0, tzinfo=UTC)  # Wednesday 1 May 2030, 10:00 in Tokyo
ALICE = Caller(sub="alice", role=Role.RESIDENT)
BOB = Caller(sub="bob", role=Role.RESIDENT)
STAFF = Caller(sub="s", role=Role.STAFF, department="shisetsu")
OTHER_STAFF = Caller(sub="o", role=Role.STAFF, department="shimin")


@pytest.fixture(autouse=True)
def site(monkeypatch):
    monkeypatch.setenv("SITE_URL", "http://site")
    settings.cache_clear()
    yield
    settings.cache_clear()


@pytest.fixture
def store() -> MemoryReservationStore:
    store = MemoryReservationStore()
    for facility in facilities():
        store.put_facility(facility)
    return store


@pytest.fixture
def payments() -> MemoryPayments:
    return MemoryPayments()


def deps(store, payments=None):
    return logic.ReservationDeps(store=store, payments=payments or MemoryPayments())


def hold(store, caller=ALICE, day=date(2030, 5, 20), slots=(("court-1", "09:00"),), facility="kasumi-tennis", **kw):
    now = kw.pop("now", NOW)
    body = HoldRequest(facility_id=facility, date=day, slots=[SlotRef(unit_id=u, start=s) for u, s in slots], **kw)
    return logic.hold(body, caller, deps(store), now, hold_minutes=15)


def checkout(store, payments, reservation, caller=ALICE, now=NOW):
    return logic.checkout(reservation.id, CheckoutRequest(), caller, deps(store, payments), now, lang="ja")


def test_prices_follow_residency_weekends_and_national_holidays(store):
    tennis = store.facility("kasumi-tennis")
    assert tennis.price(date(2030, 5, 1), Residency.RESIDENT) == 700  # Wednesday
    assert tennis.price(date(2030, 5, 4), Residency.RESIDENT) == 900  # Saturday
    assert tennis.price(date(2030, 5, 6), Residency.NONRESIDENT) == 1800  # 振替休日, a Monday
    held = hold(store, slots=(("court-1", "09:00"), ("court-2", "09:00")), residency=Residency.NONRESIDENT)
    assert held.amount == 2 * 1400


def test_a_taken_slot_refuses_the_whole_hold(store):
    hold(store)
    with pytest.raises(SlotTaken):
        hold(store, caller=BOB, slots=(("court-2", "09:00"), ("court-1", "09:00")))
    assert all(r.unit_id != "court-2" for r in store.slots("kasumi-tennis", date(2030, 5, 20)))


def test_an_expired_hold_is_free_without_any_sweep(store):
    first = hold(store)
    later = first.expires_at + timedelta(seconds=1)
    second = hold(store, caller=BOB, now=later)
    assert second.status is Status.HELD


def test_closed_days_past_slots_and_roles(store):
    with pytest.raises(SlotUnavailable):
        hold(store, facility="chuo-gym", day=date(2030, 5, 20), slots=(("court-a", "09:00"),))  # Monday: closed
    with pytest.raises(SlotUnavailable):
        hold(store, day=date(2030, 5, 1), slots=(("court-1", "09:00"),))  # 09:00 Tokyo has passed at NOW
    with pytest.raises(SlotUnavailable):
        hold(store, day=date(2030, 12, 30))  # year-end closure
    with pytest.raises(Forbidden):
        hold(store, caller=STAFF)
    with pytest.raises(Unauthorized):
        hold(store, caller=None)


def test_paying_in_time_confirms_and_books_the_slots(store, payments):
    held = hold(store)
    session = checkout(store, payments, held).reservation.checkout_session_id
    assert checkout(store, payments, held).reservation.checkout_session_id == session  # same session again
    confirmed = logic.settle(payments.pay(session), deps(store, payments), NOW)
    assert confirmed.status is Status.CONFIRMED and confirmed.payment_status is PaymentStatus.PAID
    assert {r.state for r in store.slots("kasumi-tennis", held.date)} == {"booked"}
    # settling again (duplicate webhook, reconciler) changes nothing
    assert logic.settle(payments.checkout_state(session), deps(store, payments), NOW) == store.get(held.id)
    assert payments.refunds == []


def test_a_late_payment_is_honoured_if_free_and_refunded_if_taken(store, payments):
    late = NOW + timedelta(minutes=20)
    held = hold(store)
    session = checkout(store, payments, held).reservation.checkout_session_id
    # the hold ran out and was released while the resident was still paying (the sweeper raced the payment)
    assert store.release(held.model_copy(update={"status": Status.EXPIRED}), Status.HELD.value)
    honoured = logic.settle(payments.pay(session), deps(store, payments), late)
    assert honoured.status is Status.CONFIRMED

    other = hold(store, slots=(("court-2", "09:00"),))
    other_session = checkout(store, payments, other).reservation.checkout_session_id
    taker = hold(store, caller=BOB, slots=(("court-2", "09:00"),), now=late)
    refunded = logic.settle(payments.pay(other_session), deps(store, payments), late)
    assert refunded.status is Status.EXPIRED and refunded.payment_status is PaymentStatus.REFUNDED
    # the refund is owed with the settlement and sent by the outbox worker, with its own idempotency key
    assert refunded.refund_pending == other.amount and payments.refunds == []
    ReservationOutbox(store, payments).deliver(late)
    assert payments.refunds == [(refunded.payment_intent_id, other.amount, f"late-{other.id}")]
    assert store.get(other.id).refund_pending == 0
    assert store.get(taker.id).status is Status.HELD


def test_the_sweeper_expires_and_closes_the_checkout_or_settles_if_paid(store, payments):
    unpaid = hold(store)
    session = checkout(store, payments, unpaid).reservation.checkout_session_id
    paid = hold(store, slots=(("court-3", "09:00"),))
    paid_session = checkout(store, payments, paid).reservation.checkout_session_id
    payments.pay(paid_session)  # webhook lost
    counts = sweeper.sweep(deps(store, payments), NOW + timedelta(minutes=16))
    assert counts == {"expired": 1, "confirmed": 1, "promoted": 0}
    assert payments.sessions[session].status == "expired"
    assert store.get(paid.id).status is Status.CONFIRMED


def test_reconciliation_waits_n_minutes_then_settles(store, payments):
    held = hold(store)
    session = checkout(store, payments, held).reservation.checkout_session_id
    payments.pay(session)
    assert logic.reconcile(deps(store, payments), NOW + timedelta(minutes=2), after_minutes=5) == {
        "checked": 0,
        "settled": 0,
    }
    assert logic.reconcile(deps(store, payments), NOW + timedelta(minutes=6), after_minutes=5) == {
        "checked": 1,
        "settled": 1,
    }
    assert store.get(held.id).status is Status.CONFIRMED


@pytest.mark.parametrize(
    ("day_of_use", "on", "percent"),
    [
        (date(2030, 5, 20), date(2030, 5, 13), 100),
        (date(2030, 5, 20), date(2030, 5, 14), 50),
        (date(2030, 5, 20), date(2030, 5, 19), 50),
        (date(2030, 5, 20), date(2030, 5, 20), 0),
    ],
)
def test_refund_policy(day_of_use, on, percent):
    assert logic.refund_percent(day_of_use, on) == percent


def test_cancel_refunds_by_policy_once_and_only_the_owner(store, payments):
    held = hold(store, day=date(2030, 5, 5))  # four days ahead: half
    session = checkout(store, payments, held).reservation.checkout_session_id
    logic.settle(payments.pay(session), deps(store, payments), NOW)
    with pytest.raises(NotFound):
        logic.cancel(held.id, CancelRequest(), BOB, deps(store, payments), NOW)
    result = logic.cancel(held.id, CancelRequest(), ALICE, deps(store, payments), NOW)
    assert result.refund_percent == 50 and result.refund == held.amount // 2
    assert result.reservation.payment_status is PaymentStatus.PARTIALLY_REFUNDED
    with pytest.raises(NotCancellable):
        logic.cancel(held.id, CancelRequest(), ALICE, deps(store, payments), NOW)
    outbox = ReservationOutbox(store, payments)
    outbox.deliver(NOW)
    outbox.deliver(NOW)  # a second delivery of the same effects refunds nothing more
    assert payments.refunds == [(result.reservation.payment_intent_id, held.amount // 2, f"cancel-{held.id}")]


def test_a_closure_refunds_everyone_in_full_and_closes_every_slot(store, payments):
    day = date(2030, 5, 3)
    first = hold(store, day=day)
    logic.settle(
        payments.pay(checkout(store, payments, first).reservation.checkout_session_id), deps(store, payments), NOW
    )
    second = hold(store, caller=BOB, day=day, slots=(("court-2", "11:00"),))
    with pytest.raises(Forbidden):
        logic.close_day("kasumi-tennis", ClosureRequest(date=day, reason="x"), OTHER_STAFF, deps(store, payments), NOW)
    result = logic.close_day(
        "kasumi-tennis", ClosureRequest(date=day, reason="台風"), STAFF, deps(store, payments), NOW
    )
    assert set(result.cancelled) == {first.id, second.id} and result.refunded == first.amount
    view = logic.availability("kasumi-tennis", day, deps(store), NOW)
    assert view.closed and {s.state for s in view.slots} == {"closed"}


def test_an_unpaid_lottery_win_passes_to_the_next_on_the_waiting_list(store, payments):
    body = RoundRequest(opens_at=NOW - timedelta(days=1), closes_at=NOW + timedelta(hours=1), payment_days=7)
    lottery.open_round("yokkaichi-dome", "2030-06", body, STAFF, deps(store))
    applicants = [Caller(sub=f"group-{i}", role=Role.RESIDENT) for i in range(3)]
    for caller in applicants:
        lottery.apply(
            ApplicationRequest(
                facility_id="yokkaichi-dome",
                date=date(2030, 6, 5),
                unit_id="full",
                start="09:00",
                group_name=caller.sub,
            ),
            caller,
            deps(store),
            NOW,
        )
    result = lottery.run_draw("yokkaichi-dome", "2030-06", STAFF, deps(store), NOW + timedelta(hours=2), seed=42)
    order = store.draw("yokkaichi-dome", "2030-06").order["2030-06-05#full#09:00"]
    assert result.winners == 1 and store.get(result.reservations[0]).owner == order[0]
    # the same seed gives the same order
    assert lottery.replay("yokkaichi-dome", "2030-06", STAFF, deps(store)).order["2030-06-05#full#09:00"] == order
    counts = sweeper.sweep(deps(store, payments), NOW + timedelta(days=8))
    assert counts["promoted"] == 1
    offered = [r for r in store.by_owner(order[1]) if r.status is Status.HELD]
    assert len(offered) == 1 and offered[0].lottery_key == "2030-06-05#full#09:00"
    views = {c.sub: lottery.my_applications(c, deps(store)).applications[0] for c in applicants}
    assert views[order[0]].result == "lost" and views[order[1]].result == "won"
    assert views[order[2]].result == "waiting" and views[order[2]].position == 1


def test_seed_data_is_valid_and_has_at_least_six_facilities():
    assert len(facilities()) >= 6
    assert json.dumps([f.model_dump(mode="json") for f in facilities()])


@pytest.mark.parametrize(
    "return_url", ["http://site@evil.example/", "https://evil.example/", "//evil.example/", "http://site:8080/x"]
)
def test_checkout_comes_back_only_to_a_page_of_this_site(store, payments, return_url):
    """Issue 13 flaw 2 (failed before: the request model refused absolute URLs with a bare ValueError and the
    service concatenated the origin with whatever came)."""
    held = hold(store)
    with pytest.raises(InvalidInput) as refused:
        logic.checkout(held.id, CheckoutRequest(return_url=return_url), ALICE, deps(store, payments), NOW, lang="ja")
    assert refused.value.fields == [(["body", "return_url"], "not_this_site")]
    assert store.get(held.id) == held and payments.sessions == {}


def test_checkout_returns_to_a_site_path_or_a_site_url(store, payments):
    first, second = hold(store), hold(store, slots=(("court-2", "09:00"),))
    logic.checkout(
        first.id, CheckoutRequest(return_url="/reservations/?lang=en"), ALICE, deps(store, payments), NOW, lang="en"
    )
    logic.checkout(
        second.id, CheckoutRequest(return_url="http://site/x/"), ALICE, deps(store, payments), NOW, lang="ja"
    )
    assert {s.reference for s in payments.sessions.values()} == {f"reservation:{first.id}", f"reservation:{second.id}"}


# --- domain events (docs/metrics.md): one per booking, cancellation and payment outcome, written with the change


def kinds(store, reservation_id):
    return [(e.type, e.procedure_id, e.channel) for e in metric_events(store) if e.aggregate_id == reservation_id]


def metric_events(store):
    return [e for e in store.events if isinstance(e, DomainEvent)]  # the effects owed are tested elsewhere


def test_a_paid_booking_emits_its_receipt_and_payment_once_whoever_settles_it(store, payments):
    held = hold(store)
    session = checkout(store, payments, held).reservation.checkout_session_id
    assert store.events == []  # a hold and a checkout started are no booking yet (and owe nothing)
    state = payments.pay(session)
    logic.settle(state, deps(store, payments), NOW)  # the webhook
    logic.settle(state, deps(store, payments), NOW)  # the same webhook again
    logic.reconcile(deps(store, payments), NOW + timedelta(minutes=6), after_minutes=5)  # the reconciler after it
    assert kinds(store, held.id) == [
        ("received", "facility-kasumi-tennis", "online"),
        ("payment_succeeded", "facility-kasumi-tennis", "online"),
    ]
    assert {e.id for e in metric_events(store)} == {
        f"reservations:{held.id}:confirmed",
        f"reservations:{held.id}:paid",
    }
    assert "alice" not in "".join(e.model_dump_json() for e in store.events)  # no personal data


def test_a_free_booking_emits_a_receipt_and_no_payment(store, payments):
    held = hold(store)
    free = held.model_copy(update={"amount": 0})
    store.update(free, Status.HELD.value)
    assert checkout(store, payments, free).reservation.status is Status.CONFIRMED
    assert kinds(store, held.id) == [("received", "facility-kasumi-tennis", "online")]


def test_cancelling_a_booking_emits_cancelled_but_a_hold_given_up_emits_nothing(store, payments):
    booked = hold(store, day=date(2030, 5, 5))
    logic.settle(
        payments.pay(checkout(store, payments, booked).reservation.checkout_session_id), deps(store, payments), NOW
    )
    given_up = hold(store, day=date(2030, 5, 5), slots=(("court-2", "09:00"),))
    before = len(metric_events(store))
    logic.cancel(booked.id, CancelRequest(), ALICE, deps(store, payments), NOW)
    logic.cancel(given_up.id, CancelRequest(), ALICE, deps(store, payments), NOW)
    assert [(e.type, e.aggregate_id) for e in metric_events(store)[before:]] == [("cancelled", booked.id)]


def test_a_checkout_left_unpaid_until_the_hold_expires_is_a_failed_payment(store, payments):
    unpaid = hold(store)
    checkout(store, payments, unpaid)
    never_paid = hold(store, slots=(("court-2", "09:00"),))  # no checkout started: no payment to fail
    sweeper.sweep(deps(store, payments), NOW + timedelta(minutes=16))
    sweeper.sweep(deps(store, payments), NOW + timedelta(minutes=17))
    assert kinds(store, unpaid.id) == [("payment_failed", "facility-kasumi-tennis", "online")]
    assert kinds(store, never_paid.id) == []


def test_a_late_payment_refunded_counts_as_paid_but_books_nothing(store, payments):
    late = NOW + timedelta(minutes=20)
    other = hold(store, slots=(("court-2", "09:00"),))
    session = checkout(store, payments, other).reservation.checkout_session_id
    hold(store, caller=BOB, slots=(("court-2", "09:00"),), now=late)
    logic.settle(payments.pay(session), deps(store, payments), late)
    assert kinds(store, other.id) == [("payment_succeeded", "facility-kasumi-tennis", "online")]

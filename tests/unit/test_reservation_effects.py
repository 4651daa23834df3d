"""Refunds and booking e-mails as effects (issue 13, decision 76): the change that makes them owed writes them in
its own transaction; the outbox worker (its own code, over MemoryEffectQueue) sends each once, whichever path made
the change — the resident, a closure, the webhook, the reconciler or the sweeper."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from infra.seed.facilities import facilities
from madoguchi.effects.models import Effect
from madoguchi.reservations import service as logic
from madoguchi.reservations import sweeper
from madoguchi.reservations.models import CancelRequest, CheckoutRequest, ClosureRequest, HoldRequest, SlotRef, Status
from madoguchi.reservations.store import Contact
from madoguchi.shared.auth import Caller, Role
from madoguchi.shared.i18n import message
from madoguchi.shared.settings import settings
from tests.fakes.applications import MemoryMailer
from tests.fakes.payments import MemoryPayments
from tests.fakes.reservations import MemoryContacts, MemoryReservationStore, ReservationOutbox

NOW = datetime(2030, 5, 1, 1, 0, tzinfo=UTC)  # Wednesday 1 May 2030, 10:00 in Tokyo
ALICE = Caller(sub="alice", role=Role.RESIDENT)
BOB = Caller(sub="bob", role=Role.RESIDENT)
STAFF = Caller(sub="s", role=Role.STAFF, department="shisetsu")


@pytest.fixture(autouse=True)
def site(monkeypatch):
    monkeypatch.setenv("SITE_URL", "http://site")
    settings.cache_clear()
    yield
    settings.cache_clear()


@pytest.fixture
def world():
    store, payments, mail = MemoryReservationStore(), MemoryPayments(), MemoryMailer()
    for facility in facilities():
        store.put_facility(facility)
    contacts = MemoryContacts(
        {"alice": Contact(email="alice@example.jp", lang="en"), "bob": Contact(email="bob@example.jp", lang="ja")}
    )
    return store, payments, mail, ReservationOutbox(store, payments, mail, contacts)


def deps(store, payments):
    return logic.ReservationDeps(store=store, payments=payments)


def held(store, caller=ALICE, day=date(2030, 5, 20), unit="court-1", now=NOW):
    body = HoldRequest(facility_id="kasumi-tennis", date=day, slots=[SlotRef(unit_id=unit, start="09:00")])
    return logic.hold(body, caller, deps(store, MemoryPayments()), now, hold_minutes=15)


def checked_out(store, payments, reservation, caller=ALICE):
    answer = logic.checkout(reservation.id, CheckoutRequest(), caller, deps(store, payments), NOW, lang="en")
    return answer.reservation.checkout_session_id


def effects(store):
    return [e for e in store.events if isinstance(e, Effect)]


def mails_to(mail, to):
    return [(subject, body) for address, subject, body in mail.sent if address == to]


def test_a_cancellation_owes_its_refund_and_e_mail_in_its_own_write_and_the_request_calls_nobody(world):
    store, payments, mail, outbox = world
    booked = held(store)
    logic.settle(payments.pay(checked_out(store, payments, booked)), deps(store, payments), NOW)
    outbox.deliver(NOW)
    answer = logic.cancel(booked.id, CancelRequest(), ALICE, deps(store, payments), NOW)
    assert answer.reservation.refund_pending == booked.amount and payments.refunds == []
    owed = {e.id: e for e in outbox.owed()}
    assert set(owed) == {f"reservations:{booked.id}:refund", f"reservations:{booked.id}:notify:cancelled"}
    # ids and amounts only: the address is read when the e-mail goes
    assert owed[f"reservations:{booked.id}:refund"].payload == {"reservation_id": booked.id}
    assert owed[f"reservations:{booked.id}:notify:cancelled"].payload == {
        "reservation_id": booked.id,
        "notice": "cancelled",
        "refund": booked.amount,
        "paid": True,
        "closure": False,
    }
    assert "alice" not in "".join(e.model_dump_json() for e in effects(store))
    outbox.deliver(NOW)
    assert payments.refunds == [(answer.reservation.payment_intent_id, booked.amount, f"cancel-{booked.id}")]
    assert store.get(booked.id).refund_pending == 0
    [(subject, body)] = mails_to(mail, "alice@example.jp")[1:]
    assert message("reservation_mail_cancelled", "en") in subject
    assert message("reservation_mail_refund", "en").format(yen=f"{booked.amount:,}") in body


def test_a_closure_refunds_each_paid_booking_once_and_writes_to_each_resident(world):
    store, payments, mail, outbox = world
    day = date(2030, 5, 3)
    first = held(store, day=day)
    logic.settle(payments.pay(checked_out(store, payments, first)), deps(store, payments), NOW)
    second = held(store, BOB, day=day, unit="court-2")
    logic.settle(payments.pay(checked_out(store, payments, second, BOB)), deps(store, payments), NOW)
    unpaid = held(store, day=day, unit="court-3")
    outbox.deliver(NOW)
    sent_before = len(mail.sent)
    closure = ClosureRequest(date=day, reason="台風")
    result = logic.close_day("kasumi-tennis", closure, STAFF, deps(store, payments), NOW)
    assert set(result.cancelled) == {first.id, second.id, unpaid.id} and payments.refunds == []
    outbox.deliver(NOW)
    outbox.deliver(NOW)  # the stream and the schedule may both deliver
    outbox.redrive(NOW + timedelta(hours=1))
    assert sorted(payments.refunds) == sorted(
        [
            (store.get(first.id).payment_intent_id, first.amount, f"cancel-{first.id}"),
            (store.get(second.id).payment_intent_id, second.amount, f"cancel-{second.id}"),
        ]
    )
    assert all(store.get(r).refund_pending == 0 for r in (first.id, second.id))
    closure_mails = mail.sent[sent_before:]
    assert sorted(to for to, _, _ in closure_mails) == ["alice@example.jp", "alice@example.jp", "bob@example.jp"]
    assert all(message("reservation_mail_closure", "en") in body for to, _, body in closure_mails if "alice" in to)


@pytest.mark.parametrize("path", ["sweeper", "reconciler", "webhook twice"])
def test_a_late_confirmation_is_e_mailed_once_whichever_path_confirms_it(world, path):
    """The known gap: a payment confirmed by the sweeper or the reconciler sent no e-mail (their deps had no
    mailer). The confirmation now owes its e-mail in its own write, whoever makes it."""
    store, payments, mail, outbox = world
    booking = held(store)
    state = payments.pay(checked_out(store, payments, booking))  # the webhook was lost
    if path == "sweeper":
        assert sweeper.sweep(deps(store, payments), NOW + timedelta(minutes=16))["confirmed"] == 1
    elif path == "reconciler":
        assert logic.reconcile(deps(store, payments), NOW + timedelta(minutes=6), after_minutes=5)["settled"] == 1
    else:
        logic.settle(state, deps(store, payments), NOW)
        logic.settle(state, deps(store, payments), NOW)
    logic.reconcile(deps(store, payments), NOW + timedelta(minutes=7), after_minutes=5)  # finds nothing to do
    assert store.get(booking.id).status is Status.CONFIRMED
    outbox.deliver(NOW + timedelta(minutes=8))
    outbox.redrive(NOW + timedelta(hours=1))
    [(_, body)] = mails_to(mail, "alice@example.jp")
    assert message("reservation_mail_confirmed", "en").format(yen=f"{booking.amount:,}") in body
    assert body.splitlines()[-1] == f"http://site/reservations/?id={booking.id}&lang=en"


def test_a_late_payment_for_a_slot_taken_meanwhile_is_refunded_and_e_mailed_once(world):
    store, payments, mail, outbox = world
    late = NOW + timedelta(minutes=20)
    booking = held(store)
    session = checked_out(store, payments, booking)
    held(store, BOB, now=late)  # the hold ran out and Bob took the slot
    refunded = logic.settle(payments.pay(session), deps(store, payments), late)
    assert refunded.status is Status.EXPIRED and refunded.refund_pending == booking.amount
    logic.settle(payments.checkout_state(session), deps(store, payments), late)  # a duplicate event
    outbox.deliver(late)
    outbox.deliver(late)
    assert payments.refunds == [(refunded.payment_intent_id, booking.amount, f"late-{booking.id}")]
    [(_, body)] = mails_to(mail, "alice@example.jp")
    assert message("reservation_mail_refund", "en").format(yen=f"{booking.amount:,}") in body


def test_a_resident_with_no_address_on_record_gets_no_e_mail_and_nothing_stays_owed(world):
    store, payments, mail, outbox = world
    stranger = Caller(sub="no-record", role=Role.RESIDENT)
    booking = held(store, stranger)
    logic.cancel(booking.id, CancelRequest(), stranger, deps(store, payments), NOW)
    assert outbox.deliver(NOW) == {f"reservations:{booking.id}:notify:cancelled": "done"}
    assert mail.sent == [] and outbox.owed() == []

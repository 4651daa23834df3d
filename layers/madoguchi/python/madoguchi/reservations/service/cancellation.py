"""Cancellation by the resident (refund by the policy in docs/reservations.md) and closures by staff (every
reservation of the day cancelled and refunded in full)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from madoguchi.reservations import notices
from madoguchi.reservations.events import reservation_events
from madoguchi.reservations.models import (
    CancelQuote,
    CancelRequest,
    CancelResponse,
    ClosureRequest,
    ClosureResult,
    NotCancellable,
    PaymentStatus,
    Reservation,
    SlotRef,
    Status,
)
from madoguchi.reservations.refunds import refund_owed
from madoguchi.reservations.service.common import (
    DEPARTMENT,
    ReservationDeps,
    facility_or_404,
    limit_rate,
    owned,
    slot_start_utc,
    today,
)
from madoguchi.reservations.service.settlement import settle, with_refund_due
from madoguchi.reservations.store import FacilityChange
from madoguchi.shared.auth import Caller, Role, require
from madoguchi.shared.errors import InvalidInput
from madoguchi.shared.outbox import Outboxed
from madoguchi.shared.retries import retry_key

# Refund policy on a resident's cancellation (docs/reservations.md): days before the day of use -> percent.
FULL_REFUND_DAYS = 7
PARTIAL_REFUND_DAYS = 1
PARTIAL_REFUND_PERCENT = 50


def refund_percent(day_of_use: date, on: date) -> int:
    days = (day_of_use - on).days
    if days >= FULL_REFUND_DAYS:
        return 100
    if days >= PARTIAL_REFUND_DAYS:
        return PARTIAL_REFUND_PERCENT
    return 0


def _cancel(
    deps: ReservationDeps,
    reservation: Reservation,
    now: datetime,
    percent: int,
    reason: str,
    remember: str | None = None,
) -> CancelResponse:
    store = deps.store
    paid = reservation.payment_status is PaymentStatus.PAID
    amount = reservation.amount * percent // 100 if paid else 0
    if reservation.status is Status.HELD and reservation.checkout_session_id:
        state = deps.payments.expire_checkout(reservation.checkout_session_id)
        if state.paid:  # paid a moment ago: settle first, then cancel the confirmed booking
            settled = settle(state, deps, now)
            if settled is not None and settled.status is Status.CONFIRMED:
                return _cancel(deps, settled, now, percent, reason, remember)
    status_before = reservation.status
    cancelled = with_refund_due(
        reservation.model_copy(
            update={
                "status": Status.CANCELLED,
                "cancelled_at": now,
                "cancel_reason": reason,
                "refunded_amount": amount,
                "payment_status": (
                    PaymentStatus.REFUNDED
                    if paid and amount == reservation.amount
                    else PaymentStatus.PARTIALLY_REFUNDED
                    if amount
                    else reservation.payment_status
                    if reservation.payment_status in (PaymentStatus.PAID, PaymentStatus.FREE)
                    else PaymentStatus.NONE
                ),
            }
        ),
        amount,
        f"cancel-{reservation.id}",
    )
    response = CancelResponse(reservation=cancelled, refund=amount, refund_percent=percent if paid else 0)
    # One write holds the cancellation, the refund and the e-mail it owes (effects, sent by the outbox worker) and
    # the answer to a retry: a failing or hanging Stripe or mail service loses nothing and delays nothing here.
    answer = (remember, response.model_dump_json()) if remember else None
    events: list[Outboxed] = [
        *reservation_events(reservation, cancelled, now),
        *refund_owed(cancelled, now),
        notices.cancelled(cancelled, now, refund=amount, paid=paid, closure=reason == "closure"),
    ]
    if not store.release(cancelled, status_before.value, remember=answer, now=now, events=events):
        if remember and (first := store.remembered(remember)):
            return CancelResponse.model_validate_json(first)
        raise NotCancellable()
    return response


def cancel(
    reservation_id: str,
    body: CancelRequest,
    caller: Caller | None,
    deps: ReservationDeps,
    now: datetime,
    *,
    idempotency_key: str | None = None,
) -> CancelResponse:
    resident = require(caller, Role.RESIDENT)
    limit_rate(resident, deps, now)
    reservation = owned(deps.store, reservation_id, resident)
    remember = retry_key(resident.sub, f"cancel#{reservation_id}", idempotency_key)
    if remember and (first := deps.store.remembered(remember)):
        return CancelResponse.model_validate_json(first)  # a retry: the first answer, and no second refund
    if reservation.status not in (Status.HELD, Status.CONFIRMED):
        raise NotCancellable()
    first_slot = min(slot_start_utc(reservation.date, s.start) for s in reservation.slots)
    if first_slot <= now:
        raise NotCancellable()
    percent = refund_percent(reservation.date, today(now))
    return _cancel(deps, reservation, now, percent, body.reason or "resident", remember)


def quote(reservation_id: str, caller: Caller | None, deps: ReservationDeps, now: datetime) -> CancelQuote:
    """The refund a cancellation now would give, by the same rule `cancel` applies (nothing is changed)."""
    resident = require(caller, Role.RESIDENT)
    reservation = owned(deps.store, reservation_id, resident)
    paid = reservation.amount if reservation.payment_status is PaymentStatus.PAID else 0
    first_slot = min(slot_start_utc(reservation.date, s.start) for s in reservation.slots)
    cancellable = reservation.status in (Status.HELD, Status.CONFIRMED) and first_slot > now
    percent = refund_percent(reservation.date, today(now)) if cancellable and paid else 0
    return CancelQuote(
        cancellable=cancellable,
        refund=paid * percent // 100,
        refund_percent=percent,
        paid=paid,
        full_refund_until=reservation.date - timedelta(days=FULL_REFUND_DAYS) if paid else None,
    )


def close_day(
    facility_id: str, body: ClosureRequest, caller: Caller | None, deps: ReservationDeps, now: datetime
) -> ClosureResult:
    """The city closes a facility for a day: every reservation on it is cancelled and refunded in full. The
    closure is audit-logged (who, when, the day, the reason) in the same transaction as the closed day; a
    refused closure writes nothing."""
    who = require(caller, Role.STAFF, department=DEPARTMENT)
    store = deps.store
    facility = facility_or_404(store, facility_id)
    if body.date < today(now):
        raise InvalidInput([(["body", "date"], "date_in_past")])
    # Closing a day already closed is logged too: it cancels what was booked on it since.
    added = body.date not in facility.closed_dates
    closed = facility.model_copy(update={"closed_dates": sorted({*facility.closed_dates, body.date})})
    change = FacilityChange(
        facility_id, who.sub, now, ("closed_dates",) if added else (), "closure", body.date, body.reason
    )
    store.change_facility(closed, change)
    cancelled, refunded = [], 0
    seen: set[str] = set()
    for record in store.slots(facility_id, body.date):
        rid = record.reservation_id
        if not rid or rid in seen:
            continue
        seen.add(rid)
        reservation = store.get(rid)
        if reservation is None or reservation.status not in (Status.HELD, Status.CONFIRMED):
            continue
        try:
            result = _cancel(deps, reservation, now, 100, "closure")
        except NotCancellable:
            continue
        cancelled.append(rid)
        refunded += result.refund
    every = [SlotRef(unit_id=u.id, start=s) for u in facility.units for s in facility.slot_starts()]
    store.close_slots(facility_id, body.date, every, now)
    return ClosureResult(facility_id=facility_id, date=body.date, cancelled=cancelled, refunded=refunded)

"""Holding slots, reading one's reservations and their receipts."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta

from madoguchi.reservations.facilities import Facility, slot_end
from madoguchi.reservations.models import (
    FeeReduction,
    HoldRequest,
    LotteryPeriod,
    NoReduction,
    Receipt,
    ReductionStatus,
    Reservation,
    ReservationList,
    SlotRef,
    SlotTaken,
    SlotUnavailable,
    Status,
    TooManyHolds,
    TooManyOpen,
)
from madoguchi.reservations.service.common import (
    BOOKING_HORIZON_DAYS,
    DEPARTMENT,
    ISSUER,
    ReservationDeps,
    facility_or_404,
    limit_rate,
    lottery_pending,
    owned,
    slot_start_utc,
    today,
)
from madoguchi.reservations.store import Guard, GuardMoved, ReservationStore
from madoguchi.shared.auth import Caller, Role, require
from madoguchi.shared.errors import Conflict, InvalidInput, NotFound
from madoguchi.shared.i18n import Lang, pick
from madoguchi.shared.retries import retry_key

GUARD_ATTEMPTS = 5  # parallel holds of one account retry after losing the guard race


def _validate_slots(facility: Facility, day: date, slots: list[SlotRef], now: datetime) -> None:
    if len({(s.unit_id, s.start) for s in slots}) != len(slots):
        raise InvalidInput([(["body", "slots"], "duplicate_slot")])
    if facility.is_closed(day) or day > today(now) + timedelta(days=BOOKING_HORIZON_DAYS):
        raise SlotUnavailable()
    starts = facility.slot_starts()
    for slot in slots:
        if facility.unit(slot.unit_id) is None or slot.start not in starts or slot_start_utc(day, slot.start) <= now:
            raise SlotUnavailable()


def _approved_reduction(store: ReservationStore, owner: str) -> FeeReduction | None:
    approved = [r for r in store.reductions_of(owner) if r.status is ReductionStatus.APPROVED]
    return max(approved, key=lambda r: r.percent, default=None)


def _check_limits(store: ReservationStore, facility: Facility, owner: str, now: datetime) -> None:
    """The facility's per-account caps, counted from the account's reservations (expired holds and past days
    do not count)."""
    here = [r for r in store.by_owner(owner) if r.facility_id == facility.id]
    holds = sum(1 for r in here if r.status is Status.HELD and r.expires_at > now)
    booked = sum(1 for r in here if r.status is Status.CONFIRMED and r.date >= today(now))
    if holds >= facility.max_holds:
        raise TooManyHolds(limit=facility.max_holds)
    if holds + booked >= facility.max_open:
        raise TooManyOpen(limit=facility.max_open)


def hold(
    body: HoldRequest,
    caller: Caller | None,
    deps: ReservationDeps,
    now: datetime,
    *,
    hold_minutes: int,
    idempotency_key: str | None = None,
    lang: str | None = None,
) -> Reservation:
    resident = require(caller, Role.RESIDENT)
    store = deps.store
    limit_rate(resident, deps, now)
    remember = retry_key(resident.sub, "hold", idempotency_key)
    if remember and (first := store.remembered(remember)):
        return owned(store, first, resident)  # a retry: the first result, nothing new
    facility = facility_or_404(store, body.facility_id)
    _validate_slots(facility, body.date, body.slots, now)
    if body.people > facility.capacity:
        raise InvalidInput([(["body", "people"], "over_capacity")])
    if lottery_pending(store, facility, body.date):
        raise LotteryPeriod()
    reduction = None
    if body.use_reduction:
        reduction = _approved_reduction(store, resident.sub)
        if reduction is None:
            raise NoReduction()
    base = facility.price(body.date, body.residency) * len(body.slots)
    percent = reduction.percent if reduction else 0
    reservation = Reservation(
        id=uuid.uuid4().hex,
        owner=resident.sub,
        facility_id=facility.id,
        date=body.date,
        slots=sorted(body.slots, key=lambda s: (s.unit_id, s.start)),
        residency=body.residency,
        people=body.people,
        purpose=body.purpose,
        status=Status.HELD,
        base_amount=base,
        reduction_id=reduction.id if reduction else None,
        reduction_percent=percent,
        amount=base - base * percent // 100,
        created_at=now,
        expires_at=now + timedelta(minutes=hold_minutes),
        lang=lang,
    )
    guard_key = f"{resident.sub}#{facility.id}"
    for _ in range(GUARD_ATTEMPTS):
        version = store.guard_version(guard_key)
        _check_limits(store, facility, resident.sub, now)
        try:
            # One transaction: the reservation, its slots, the account's guard and the idempotency record.
            store.place_hold(reservation, now, guard=Guard(guard_key, version), remember=remember)
        except GuardMoved:
            if remember and (first := store.remembered(remember)):
                return owned(store, first, resident)
            continue  # a parallel hold of this account came first: count again
        except SlotTaken:
            if remember and (first := store.remembered(remember)):
                return owned(store, first, resident)
            raise  # 409: nothing written
        return reservation
    raise Conflict()


def get_reservation(reservation_id: str, caller: Caller | None, deps: ReservationDeps) -> Reservation:
    resident = require(caller, Role.RESIDENT, Role.STAFF)
    if resident.role is Role.STAFF:
        require(resident, Role.STAFF, department=DEPARTMENT)
        reservation = deps.store.get(reservation_id)
        if reservation is None:
            raise NotFound()
        return reservation
    return owned(deps.store, reservation_id, resident)


def mine(caller: Caller | None, deps: ReservationDeps) -> ReservationList:
    resident = require(caller, Role.RESIDENT)
    return ReservationList(reservations=deps.store.by_owner(resident.sub))


def receipt(reservation_id: str, caller: Caller | None, deps: ReservationDeps, *, lang: Lang) -> Receipt:
    resident = require(caller, Role.RESIDENT)
    reservation = owned(deps.store, reservation_id, resident)
    if reservation.paid_at is None or reservation.receipt_number is None or reservation.amount == 0:
        raise NotFound(reservation_id=reservation_id)
    facility = facility_or_404(deps.store, reservation.facility_id)
    return Receipt(
        number=reservation.receipt_number,
        reservation_id=reservation.id,
        facility=pick(facility.name, lang),
        date=reservation.date,
        slots=[
            f"{pick(facility.unit(s.unit_id).name, lang) if facility.unit(s.unit_id) else s.unit_id} "  # type: ignore[union-attr]
            f"{s.start}–{slot_end(facility, s.start)}"
            for s in reservation.slots
        ],
        amount=reservation.amount,
        refunded=reservation.refunded_amount - reservation.refund_pending,  # only what Stripe confirmed
        paid_at=reservation.paid_at,
        issuer=ISSUER,
    )

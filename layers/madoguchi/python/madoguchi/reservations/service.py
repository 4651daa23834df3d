"""Facility reservations: availability, holds, checkout, settlement of payments, expiry, cancellation, refunds,
closures and fee reductions. Plain Python over the ReservationStore and PaymentGateway ports."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time, timedelta, timezone

from aws_lambda_powertools import Logger

from madoguchi.payments.store import CheckoutState, PaymentEvent, PaymentGateway, UnknownCheckout
from madoguchi.reservations.facilities import (
    Availability,
    DaySummary,
    Facility,
    FacilityList,
    FacilitySummary,
    MonthView,
    Residency,
    SlotView,
)
from madoguchi.reservations.models import (
    REDUCTION_PERCENT,
    CancelRequest,
    CancelResponse,
    CheckoutRequest,
    CheckoutResponse,
    ClosureRequest,
    ClosureResult,
    DayBooking,
    DayBookings,
    FeeReduction,
    HoldRequest,
    LotteryPeriod,
    NoReduction,
    NotCancellable,
    NotHeld,
    PaymentStatus,
    Receipt,
    ReductionDecision,
    ReductionList,
    ReductionRequest,
    ReductionStatus,
    Reservation,
    ReservationList,
    SlotRef,
    SlotUnavailable,
    Status,
)
from madoguchi.reservations.store import ReservationStore, SlotRecord
from madoguchi.shared.auth import Caller, Role, require
from madoguchi.shared.errors import Conflict, InvalidInput, NotFound
from madoguchi.shared.i18n import Lang, pick

logger = Logger(child=True)

# Japan keeps no daylight saving time: a fixed +09:00 is Asia/Tokyo exactly, with no tz database needed.
TOKYO = timezone(timedelta(hours=9), "JST")
DEPARTMENT = "shisetsu"  # 施設管理課: facility settings, closures, fee reductions, lottery draws
BOOKING_HORIZON_DAYS = 92  # about three months ahead
CHECKOUT_MINUTES = 31  # Stripe requires a Checkout Session to stay open at least 30 minutes
PURPOSE = "facility_reservation"
ISSUER = "四日市市"

# Refund policy on a resident's cancellation (docs/reservations.md): days before the day of use -> percent.
FULL_REFUND_DAYS = 7
PARTIAL_REFUND_DAYS = 1
PARTIAL_REFUND_PERCENT = 50


def today(now: datetime) -> date:
    return now.astimezone(TOKYO).date()


def slot_start_utc(day: date, start: str) -> datetime:
    return datetime.combine(day, time.fromisoformat(start), tzinfo=TOKYO).astimezone(UTC)


def reference(reservation_id: str) -> str:
    return f"reservation:{reservation_id}"


def facility_or_404(store: ReservationStore, facility_id: str) -> Facility:
    """The facility, or NotFound."""
    facility = store.facility(facility_id)
    if facility is None:
        raise NotFound(facility_id=facility_id)
    return facility


def _mine(store: ReservationStore, reservation_id: str, caller: Caller) -> Reservation:
    reservation = store.get(reservation_id)
    # Someone else's reservation reads as missing: ids are not to be probed.
    if reservation is None or reservation.owner != caller.sub:
        raise NotFound(reservation_id=reservation_id)
    return reservation


# --- Reading facilities and availability -----------------------------------------------------------------


def summary(facility: Facility, lang: Lang) -> FacilitySummary:
    return FacilitySummary(
        id=facility.id,
        name=pick(facility.name, lang),
        kind=facility.kind,
        address=facility.address,
        description=pick(facility.description, lang) if facility.description else "",
        units=[{"id": u.id, "name": pick(u.name, lang)} for u in facility.units],
        opens=facility.opens,
        closes=facility.closes,
        slot_minutes=facility.slot_minutes,
        capacity=facility.capacity,
        closed_weekdays=facility.closed_weekdays,
        prices=facility.prices,
        lottery=facility.lottery,
    )


def list_facilities(store: ReservationStore, lang: Lang, kind: str | None = None) -> FacilityList:
    facilities = sorted(store.facilities(), key=lambda f: f.id)
    return FacilityList(facilities=[summary(f, lang) for f in facilities if kind is None or f.kind == kind])


def _end(facility: Facility, start: str) -> str:
    end = datetime.combine(date.min, time.fromisoformat(start)) + timedelta(minutes=facility.slot_minutes)
    return end.strftime("%H:%M")


def _lottery_pending(store: ReservationStore, facility: Facility, day: date) -> bool:
    if not facility.lottery:
        return False
    month = day.isoformat()[:7]
    return store.round(facility.id, month) is not None and store.draw(facility.id, month) is None


def _slot_states(facility: Facility, day: date, records: list[SlotRecord], now: datetime) -> dict[tuple[str, str], str]:
    taken = {(r.unit_id, r.start): r for r in records if r.date == day}
    states: dict[tuple[str, str], str] = {}
    closed_day = facility.is_closed(day)
    for unit in facility.units:
        for start in facility.slot_starts():
            record = taken.get((unit.id, start))
            if closed_day:
                state = "closed"
            elif record is not None and record.taken(now):
                state = record.state
            elif slot_start_utc(day, start) <= now:
                state = "closed"  # past
            else:
                state = "free"
            states[(unit.id, start)] = state
    return states


def availability(store: ReservationStore, facility_id: str, day: date, now: datetime) -> Availability:
    facility = facility_or_404(store, facility_id)
    states = _slot_states(facility, day, store.slots(facility_id, day), now)
    price = facility.price(day, Residency.RESIDENT)
    return Availability(
        facility_id=facility_id,
        date=day,
        closed=facility.is_closed(day),
        lottery=_lottery_pending(store, facility, day),
        slots=[
            SlotView(unit_id=unit, start=start, end=_end(facility, start), state=state, price=price)  # type: ignore[arg-type]
            for (unit, start), state in states.items()
        ],
    )


def month_view(store: ReservationStore, facility_id: str, month: str, now: datetime) -> MonthView:
    try:
        if len(month) != 7:
            raise ValueError(month)
        first = date.fromisoformat(f"{month}-01")
    except ValueError as e:
        raise InvalidInput([(["query", "month"], "field_invalid")]) from e
    facility = facility_or_404(store, facility_id)
    records = store.month_slots(facility_id, month)
    days = []
    day = first
    while day.month == first.month:
        states = _slot_states(facility, day, records, now)
        free = sum(1 for s in states.values() if s == "free")
        taken = sum(1 for s in states.values() if s in ("held", "booked"))
        days.append(DaySummary(date=day, closed=facility.is_closed(day), free=free, taken=taken))
        day += timedelta(days=1)
    return MonthView(facility_id=facility_id, month=month, days=days)


# --- Holds -----------------------------------------------------------------------------------------------


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


def hold(
    body: HoldRequest, caller: Caller | None, store: ReservationStore, now: datetime, hold_minutes: int
) -> Reservation:
    resident = require(caller, Role.RESIDENT)
    facility = facility_or_404(store, body.facility_id)
    _validate_slots(facility, body.date, body.slots, now)
    if body.people > facility.capacity:
        raise InvalidInput([(["body", "people"], "over_capacity")])
    if _lottery_pending(store, facility, body.date):
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
    )
    store.place_hold(reservation, now)  # SlotTaken (409) if any slot is taken: nothing written
    return reservation


def get_reservation(store: ReservationStore, reservation_id: str, caller: Caller | None) -> Reservation:
    resident = require(caller, Role.RESIDENT, Role.STAFF)
    if resident.role is Role.STAFF:
        require(resident, Role.STAFF, department=DEPARTMENT)
        reservation = store.get(reservation_id)
        if reservation is None:
            raise NotFound()
        return reservation
    return _mine(store, reservation_id, resident)


def mine(store: ReservationStore, caller: Caller | None) -> ReservationList:
    resident = require(caller, Role.RESIDENT)
    return ReservationList(reservations=store.by_owner(resident.sub))


# --- Checkout and settlement -----------------------------------------------------------------------------


def checkout(
    reservation_id: str,
    body: CheckoutRequest,
    caller: Caller | None,
    store: ReservationStore,
    gateway: PaymentGateway,
    now: datetime,
    lang: Lang,
    site_url: str,
) -> CheckoutResponse:
    resident = require(caller, Role.RESIDENT)
    reservation = _mine(store, reservation_id, resident)
    if reservation.status is not Status.HELD or reservation.expires_at <= now:
        raise NotHeld()
    if reservation.amount == 0:
        confirmed = reservation.model_copy(
            update={"status": Status.CONFIRMED, "payment_status": PaymentStatus.FREE, "paid_at": now}
        )
        if not store.confirm(confirmed, now):
            raise NotHeld()
        return CheckoutResponse(reservation=confirmed, checkout_url=None)
    if reservation.checkout_session_id and reservation.checkout_url:
        return CheckoutResponse(reservation=reservation, checkout_url=reservation.checkout_url)
    if not site_url.startswith(("https://", "http://")):
        raise InvalidInput([(["header", "Origin"], "field_missing")])
    facility = facility_or_404(store, reservation.facility_id)
    back = site_url.rstrip("/") + (body.return_url or "/reservations/")
    sep = "&" if "?" in back else "?"
    session = gateway.create_checkout(
        amount=reservation.amount,
        reference=reference(reservation.id),
        purpose=PURPOSE,
        description=f"{pick(facility.name, 'ja')} {reservation.date.isoformat()} ({len(reservation.slots)})",
        success_url=f"{back}{sep}paid={reservation.id}",
        cancel_url=f"{back}{sep}unpaid={reservation.id}",
        expires_at=now + timedelta(minutes=CHECKOUT_MINUTES),
        idempotency_key=f"checkout-{reservation.id}",
        locale=lang,
    )
    updated = reservation.model_copy(
        update={
            "checkout_session_id": session.session_id,
            "checkout_url": session.url,
            "checkout_started_at": now,
            "payment_status": PaymentStatus.PENDING,
        }
    )
    store.update(updated, Status.HELD.value)
    return CheckoutResponse(reservation=updated, checkout_url=session.url)


def _refund(gateway: PaymentGateway, reservation: Reservation, amount: int, key: str) -> str | None:
    if amount <= 0 or not reservation.payment_intent_id:
        return None
    return gateway.refund(reservation.payment_intent_id, amount, reference(reservation.id), idempotency_key=key)


def settle(state: CheckoutState, store: ReservationStore, gateway: PaymentGateway, now: datetime) -> Reservation | None:
    """Bring a reservation in line with what Stripe says about its checkout. Safe to call any number of times,
    in any order, from the webhook, the reconciler or the sweeper: only a paid checkout changes anything."""
    if not state.reference.startswith("reservation:") or not state.paid:
        return None
    reservation = store.get(state.reference.split(":", 1)[1])
    if reservation is None:
        logger.warning("Paid checkout for an unknown reservation", extra={"session": state.session_id})
        return None
    for _ in range(3):  # a concurrent sweep or cancel may change the status under us: read again and retry
        if reservation.payment_intent_id == state.payment_intent_id and reservation.payment_status in (
            PaymentStatus.PAID,
            PaymentStatus.REFUNDED,
            PaymentStatus.PARTIALLY_REFUNDED,
        ):
            return reservation  # settled already
        paid = reservation.model_copy(
            update={
                "payment_status": PaymentStatus.PAID,
                "payment_intent_id": state.payment_intent_id,
                "paid_at": now,
                "receipt_number": f"R{today(now).strftime('%Y%m%d')}-{reservation.id[:8].upper()}",
                "status": Status.CONFIRMED,
            }
        )
        if reservation.status is Status.HELD:
            if store.confirm(paid, now):
                return paid
            current = store.get(reservation.id)
            if current is not None and current != reservation:
                reservation = current
                continue
            # Still ours on paper, but the hold ran out and a slot went to someone else: refund.
        elif reservation.status is Status.EXPIRED:
            if store.reacquire(paid, now):
                # Paid after the hold ran out, and the slots were still free: the booking is honoured.
                logger.info("Late payment honoured", extra={"reservation": reservation.id})
                return paid
        elif reservation.status is Status.CONFIRMED:
            logger.warning("Second payment for a confirmed reservation", extra={"reservation": reservation.id})
            return reservation
        refunded = reservation.model_copy(
            update={
                "status": Status.EXPIRED if reservation.status is Status.HELD else reservation.status,
                "payment_status": PaymentStatus.REFUNDED,
                "payment_intent_id": state.payment_intent_id,
                "paid_at": now,
                "refunded_amount": state.amount,
                "cancelled_at": reservation.cancelled_at or now,
                "cancel_reason": reservation.cancel_reason or "late_payment",
            }
        )
        written = (
            store.release(refunded, Status.HELD.value)
            if reservation.status is Status.HELD
            else _update_if(store, refunded, reservation.status.value)
        )
        if not written:
            reservation = store.get(reservation.id) or reservation
            continue
        _refund(gateway, refunded, state.amount, f"late-{reservation.id}")
        logger.info("Late payment refunded", extra={"reservation": reservation.id})
        return refunded
    logger.warning("Could not settle a paid checkout", extra={"reservation": reservation.id})
    return None


def _update_if(store: ReservationStore, reservation: Reservation, expected: str) -> bool:
    try:
        store.update(reservation, expected)
    except Conflict:
        return False
    return True


def handle_event(event: PaymentEvent, store: ReservationStore, gateway: PaymentGateway, now: datetime) -> str:
    """A verified webhook event. The event only says *that* something happened: the checkout's current state
    is read back from Stripe, so duplicates and events out of order all lead to the same, latest outcome."""
    if not event.type.startswith("checkout.session."):
        return "ignored"
    session_id = str(event.object.get("id", ""))
    metadata = event.object.get("metadata") or {}
    if not session_id or not str(metadata.get("reference", "")).startswith("reservation:"):
        return "ignored"
    try:
        state = gateway.checkout_state(session_id)
    except UnknownCheckout:
        logger.warning("Event for a checkout the provider does not know", extra={"event_id": event.id})
        return "ignored"
    result = settle(state, store, gateway, now)
    return result.status.value if result else "unchanged"


def release_if_due(store: ReservationStore, gateway: PaymentGateway, reservation: Reservation, now: datetime) -> str:
    """Let a hold go: close its checkout at Stripe first (if that shows it was paid, settle instead)."""
    if reservation.checkout_session_id:
        state = gateway.expire_checkout(reservation.checkout_session_id)
        if state.paid:
            settled = settle(state, store, gateway, now)
            return settled.status.value if settled else "unchanged"
    expired = reservation.model_copy(
        update={
            "status": Status.EXPIRED,
            "payment_status": PaymentStatus.NONE,
            "cancelled_at": now,
            "cancel_reason": "hold_expired",
        }
    )
    return "expired" if store.release(expired, Status.HELD.value) else "unchanged"


def reconcile(store: ReservationStore, gateway: PaymentGateway, now: datetime, after_minutes: int) -> dict[str, int]:
    """Ask Stripe about every checkout still pending after `after_minutes`: a lost webhook never leaves a paid
    booking unconfirmed."""
    counts = {"checked": 0, "settled": 0}
    cutoff = now - timedelta(minutes=after_minutes)
    for reservation in store.open_holds():
        if not reservation.checkout_session_id or not reservation.checkout_started_at:
            continue
        if reservation.checkout_started_at > cutoff:
            continue
        counts["checked"] += 1
        if settle(gateway.checkout_state(reservation.checkout_session_id), store, gateway, now):
            counts["settled"] += 1
    return counts


# --- Cancellation ----------------------------------------------------------------------------------------


def refund_percent(day_of_use: date, on: date) -> int:
    days = (day_of_use - on).days
    if days >= FULL_REFUND_DAYS:
        return 100
    if days >= PARTIAL_REFUND_DAYS:
        return PARTIAL_REFUND_PERCENT
    return 0


def _cancel(
    store: ReservationStore,
    gateway: PaymentGateway,
    reservation: Reservation,
    now: datetime,
    percent: int,
    reason: str,
) -> CancelResponse:
    paid = reservation.payment_status is PaymentStatus.PAID
    refund = reservation.amount * percent // 100 if paid else 0
    if reservation.status is Status.HELD and reservation.checkout_session_id:
        state = gateway.expire_checkout(reservation.checkout_session_id)
        if state.paid:  # paid a moment ago: settle first, then cancel the confirmed booking
            settled = settle(state, store, gateway, now)
            if settled is not None and settled.status is Status.CONFIRMED:
                return _cancel(store, gateway, settled, now, percent, reason)
    status_before = reservation.status
    cancelled = reservation.model_copy(
        update={
            "status": Status.CANCELLED,
            "cancelled_at": now,
            "cancel_reason": reason,
            "refunded_amount": refund,
            "payment_status": (
                PaymentStatus.REFUNDED
                if paid and refund == reservation.amount
                else PaymentStatus.PARTIALLY_REFUNDED
                if refund
                else reservation.payment_status
                if reservation.payment_status in (PaymentStatus.PAID, PaymentStatus.FREE)
                else PaymentStatus.NONE
            ),
        }
    )
    if not store.release(cancelled, status_before.value):
        raise NotCancellable()
    _refund(gateway, cancelled, refund, f"cancel-{reservation.id}")
    return CancelResponse(reservation=cancelled, refund=refund, refund_percent=percent if paid else 0)


def cancel(
    reservation_id: str,
    body: CancelRequest,
    caller: Caller | None,
    store: ReservationStore,
    gateway: PaymentGateway,
    now: datetime,
) -> CancelResponse:
    resident = require(caller, Role.RESIDENT)
    reservation = _mine(store, reservation_id, resident)
    if reservation.status not in (Status.HELD, Status.CONFIRMED):
        raise NotCancellable()
    first_slot = min(slot_start_utc(reservation.date, s.start) for s in reservation.slots)
    if first_slot <= now:
        raise NotCancellable()
    percent = refund_percent(reservation.date, today(now))
    return _cancel(store, gateway, reservation, now, percent, body.reason or "resident")


# --- Receipts --------------------------------------------------------------------------------------------


def receipt(store: ReservationStore, reservation_id: str, caller: Caller | None, lang: Lang) -> Receipt:
    resident = require(caller, Role.RESIDENT)
    reservation = _mine(store, reservation_id, resident)
    if reservation.paid_at is None or reservation.receipt_number is None or reservation.amount == 0:
        raise NotFound(reservation_id=reservation_id)
    facility = facility_or_404(store, reservation.facility_id)
    return Receipt(
        number=reservation.receipt_number,
        reservation_id=reservation.id,
        facility=pick(facility.name, lang),
        date=reservation.date,
        slots=[
            f"{pick(facility.unit(s.unit_id).name, lang) if facility.unit(s.unit_id) else s.unit_id} "  # type: ignore[union-attr]
            f"{s.start}–{_end(facility, s.start)}"
            for s in reservation.slots
        ],
        amount=reservation.amount,
        refunded=reservation.refunded_amount,
        paid_at=reservation.paid_at,
        issuer=ISSUER,
    )


# --- Fee reductions (減免) ----------------------------------------------------------------------------------


def request_reduction(
    body: ReductionRequest, caller: Caller | None, store: ReservationStore, now: datetime
) -> FeeReduction:
    resident = require(caller, Role.RESIDENT)
    reduction = FeeReduction(
        id=uuid.uuid4().hex,
        owner=resident.sub,
        category=body.category,
        percent=REDUCTION_PERCENT[body.category],
        group_name=body.group_name,
        note=body.note,
        status=ReductionStatus.PENDING,
        requested_at=now,
    )
    store.add_reduction(reduction)
    return reduction


def my_reductions(caller: Caller | None, store: ReservationStore) -> ReductionList:
    resident = require(caller, Role.RESIDENT)
    return ReductionList(reductions=store.reductions_of(resident.sub))


def pending_reductions(caller: Caller | None, store: ReservationStore) -> ReductionList:
    require(caller, Role.STAFF, department=DEPARTMENT)
    return ReductionList(reductions=store.pending_reductions())


def decide_reduction(
    reduction_id: str, body: ReductionDecision, caller: Caller | None, store: ReservationStore, now: datetime
) -> FeeReduction:
    staff = require(caller, Role.STAFF, department=DEPARTMENT)
    reduction = store.reduction(reduction_id)
    if reduction is None:
        raise NotFound(reduction_id=reduction_id)
    decided = reduction.model_copy(
        update={
            "status": ReductionStatus.APPROVED if body.approve else ReductionStatus.REJECTED,
            "decided_by": staff.sub,
            "decided_at": now,
        }
    )
    store.decide_reduction(decided)  # Conflict (409) if decided already
    return decided


# --- Staff: settings, the day's bookings, closures ---------------------------------------------------------


def put_facility(facility_id: str, facility: Facility, caller: Caller | None, store: ReservationStore) -> Facility:
    require(caller, Role.STAFF, department=DEPARTMENT)
    if facility.id != facility_id:
        raise InvalidInput([(["body", "id"], "field_invalid")])
    store.put_facility(facility)
    return facility


def staff_facility(facility_id: str, caller: Caller | None, store: ReservationStore) -> Facility:
    require(caller, Role.STAFF, department=DEPARTMENT)
    return facility_or_404(store, facility_id)


def day_bookings(
    facility_id: str, day: date, caller: Caller | None, store: ReservationStore, now: datetime
) -> DayBookings:
    require(caller, Role.STAFF, department=DEPARTMENT)
    facility = facility_or_404(store, facility_id)
    records = {(r.unit_id, r.start): r for r in store.slots(facility_id, day)}
    states = _slot_states(facility, day, list(records.values()), now)
    cache: dict[str, Reservation | None] = {}
    bookings = []
    for (unit, start), state in states.items():
        record = records.get((unit, start))
        rid = record.reservation_id if record is not None and state in ("held", "booked") else None
        if rid and rid not in cache:
            cache[rid] = store.get(rid)
        found = cache.get(rid) if rid else None
        bookings.append(
            DayBooking(
                unit_id=unit,
                start=start,
                state=state,
                reservation_id=rid,
                owner=found.owner if found else None,
                status=found.status.value if found else None,
                payment_status=found.payment_status.value if found else None,
                amount=found.amount if found else None,
            )
        )
    return DayBookings(facility_id=facility_id, date=day, bookings=bookings)


def close_day(
    facility_id: str,
    body: ClosureRequest,
    caller: Caller | None,
    store: ReservationStore,
    gateway: PaymentGateway,
    now: datetime,
) -> ClosureResult:
    """The city closes a facility for a day: every reservation on it is cancelled and refunded in full."""
    require(caller, Role.STAFF, department=DEPARTMENT)
    facility = facility_or_404(store, facility_id)
    if body.date < today(now):
        raise InvalidInput([(["body", "date"], "date_in_past")])
    if body.date not in facility.closed_dates:
        store.put_facility(facility.model_copy(update={"closed_dates": sorted([*facility.closed_dates, body.date])}))
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
            result = _cancel(store, gateway, reservation, now, 100, "closure")
        except NotCancellable:
            continue
        cancelled.append(rid)
        refunded += result.refund
    every = [SlotRef(unit_id=u.id, start=s) for u in facility.units for s in facility.slot_starts()]
    store.close_slots(facility_id, body.date, every, now)
    return ClosureResult(facility_id=facility_id, date=body.date, cancelled=cancelled, refunded=refunded)

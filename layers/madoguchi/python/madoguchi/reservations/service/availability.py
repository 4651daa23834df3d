"""Reading facilities and their availability (anyone), and the staff's view: settings and the day's bookings."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from madoguchi.reservations.facilities import (
    Availability,
    DaySummary,
    Facility,
    FacilityList,
    FacilitySummary,
    MonthView,
    Residency,
    SlotView,
    slot_end,
)
from madoguchi.reservations.models import DayBooking, DayBookings, Reservation
from madoguchi.reservations.service.common import (
    DEPARTMENT,
    ReservationDeps,
    facility_or_404,
    lottery_pending,
    slot_start_utc,
)
from madoguchi.reservations.store import FacilityChange, SlotRecord
from madoguchi.shared.auth import Caller, Role, require
from madoguchi.shared.errors import InvalidInput
from madoguchi.shared.i18n import Lang, pick


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


def list_facilities(kind: str | None, deps: ReservationDeps, *, lang: Lang) -> FacilityList:
    facilities = sorted(deps.store.facilities(), key=lambda f: f.id)
    return FacilityList(facilities=[summary(f, lang) for f in facilities if kind is None or f.kind == kind])


def slot_states(facility: Facility, day: date, records: list[SlotRecord], now: datetime) -> dict[tuple[str, str], str]:
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


def availability(facility_id: str, day: date, deps: ReservationDeps, now: datetime) -> Availability:
    facility = facility_or_404(deps.store, facility_id)
    states = slot_states(facility, day, deps.store.slots(facility_id, day), now)
    price = facility.price(day, Residency.RESIDENT)
    return Availability(
        facility_id=facility_id,
        date=day,
        closed=facility.is_closed(day),
        lottery=lottery_pending(deps.store, facility, day),
        slots=[
            SlotView(unit_id=unit, start=start, end=slot_end(facility, start), state=state, price=price)  # type: ignore[arg-type]
            for (unit, start), state in states.items()
        ],
    )


def month_view(facility_id: str, month: str, deps: ReservationDeps, now: datetime) -> MonthView:
    try:
        if len(month) != 7:
            raise ValueError(month)
        first = date.fromisoformat(f"{month}-01")
    except ValueError as e:
        raise InvalidInput([(["query", "month"], "field_invalid")]) from e
    facility = facility_or_404(deps.store, facility_id)
    records = deps.store.month_slots(facility_id, month)
    days = []
    day = first
    while day.month == first.month:
        states = slot_states(facility, day, records, now)
        free = sum(1 for s in states.values() if s == "free")
        taken = sum(1 for s in states.values() if s in ("held", "booked"))
        days.append(DaySummary(date=day, closed=facility.is_closed(day), free=free, taken=taken))
        day += timedelta(days=1)
    return MonthView(facility_id=facility_id, month=month, days=days)


# --- Staff: settings and the day's bookings ------------------------------------------------------------------


def put_facility(
    facility_id: str, facility: Facility, caller: Caller | None, deps: ReservationDeps, now: datetime
) -> Facility:
    """Change an existing facility's settings (an unknown id is 404: a PUT here never creates a facility); the
    change is audit-logged (who, when, which settings) in the same transaction."""
    who = require(caller, Role.STAFF, department=DEPARTMENT)
    if facility.id != facility_id:
        raise InvalidInput([(["body", "id"], "field_invalid")])
    current = facility_or_404(deps.store, facility_id)
    changed = tuple(name for name in Facility.model_fields if getattr(current, name) != getattr(facility, name))
    if changed:
        deps.store.change_facility(facility, FacilityChange(facility_id, who.sub, now, changed))
    return facility


def staff_facility(facility_id: str, caller: Caller | None, deps: ReservationDeps) -> Facility:
    require(caller, Role.STAFF, department=DEPARTMENT)
    return facility_or_404(deps.store, facility_id)


def day_bookings(
    facility_id: str, day: date, caller: Caller | None, deps: ReservationDeps, now: datetime
) -> DayBookings:
    require(caller, Role.STAFF, department=DEPARTMENT)
    store = deps.store
    facility = facility_or_404(store, facility_id)
    records = {(r.unit_id, r.start): r for r in store.slots(facility_id, day)}
    states = slot_states(facility, day, list(records.values()), now)
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

"""What every part of the reservation service shares: its ports, the department, Tokyo's calendar, slot times."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone

from madoguchi.payments.store import PaymentGateway
from madoguchi.reservations.facilities import Facility
from madoguchi.reservations.models import RateLimited, Reservation
from madoguchi.reservations.store import ReservationStore
from madoguchi.shared.auth import Caller
from madoguchi.shared.errors import NotFound

# Japan keeps no daylight saving time: a fixed +09:00 is Asia/Tokyo exactly, with no tz database needed.
TOKYO = timezone(timedelta(hours=9), "JST")
DEPARTMENT = "shisetsu"  # 施設管理課: facility settings, closures, fee reductions, lottery draws
BOOKING_HORIZON_DAYS = 92  # about three months ahead
CHECKOUT_MINUTES = 31  # Stripe requires a Checkout Session to stay open at least 30 minutes
PURPOSE = "facility_reservation"
ISSUER = "四日市市"
# Writes (holds, checkouts, cancellations, lottery entries, reduction requests) per caller and fixed window: far
# above any person at a screen (the reproduced abuse sent 900 a minute); the per-facility caps do the rest.
WRITES_PER_WINDOW = 120
WINDOW_SECONDS = 60


@dataclass(frozen=True)
class ReservationDeps:
    """The ports the reservation service uses (built by the handlers from madoguchi.wiring)."""

    store: ReservationStore
    payments: PaymentGateway


def today(now: datetime) -> date:
    return now.astimezone(TOKYO).date()


def slot_start_utc(day: date, start: str) -> datetime:
    return datetime.combine(day, time.fromisoformat(start), tzinfo=TOKYO).astimezone(UTC)


def facility_or_404(store: ReservationStore, facility_id: str) -> Facility:
    """The facility, or NotFound."""
    facility = store.facility(facility_id)
    if facility is None:
        raise NotFound(facility_id=facility_id)
    return facility


def owned(store: ReservationStore, reservation_id: str, caller: Caller) -> Reservation:
    """The caller's own reservation; someone else's reads as missing: ids are not to be probed."""
    reservation = store.get(reservation_id)
    if reservation is None or reservation.owner != caller.sub:
        raise NotFound(reservation_id=reservation_id)
    return reservation


def lottery_pending(store: ReservationStore, facility: Facility, day: date) -> bool:
    """Whether the day's month is in a lottery round not drawn yet (no first-come booking then)."""
    if not facility.lottery:
        return False
    month = day.isoformat()[:7]
    return store.round(facility.id, month) is not None and store.draw(facility.id, month) is None


def limit_rate(caller: Caller, deps: ReservationDeps, now: datetime) -> None:
    """A fixed-window counter per caller (one DynamoDB item with TTL): RateLimited (429) past the limit."""
    epoch = int(now.timestamp())
    window = epoch - epoch % WINDOW_SECONDS
    until = datetime.fromtimestamp(window + WINDOW_SECONDS, UTC)
    if deps.store.count_write(f"{caller.sub}#{window}", until + timedelta(minutes=5)) > WRITES_PER_WINDOW:
        raise RateLimited(retry_after=max(1, window + WINDOW_SECONDS - epoch))

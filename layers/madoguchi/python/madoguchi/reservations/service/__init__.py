"""Facility reservations: availability, holds, checkout and settlement of payments, expiry, cancellation, refunds,
closures and fee reductions. Plain Python over the ReservationStore and PaymentGateway ports, one module per
concern; the names handlers use are re-exported here."""

from madoguchi.reservations.service.availability import (
    availability,
    day_bookings,
    list_facilities,
    month_view,
    put_facility,
    staff_facility,
)
from madoguchi.reservations.service.booking import get_reservation, hold, mine, receipt
from madoguchi.reservations.service.cancellation import cancel, close_day, quote, refund_percent
from madoguchi.reservations.service.common import (
    DEPARTMENT,
    TOKYO,
    ReservationDeps,
    facility_or_404,
    slot_start_utc,
    today,
)
from madoguchi.reservations.service.reductions import (
    decide_reduction,
    my_reductions,
    pending_reductions,
    request_reduction,
)
from madoguchi.reservations.service.settlement import (
    checkout,
    handle_event,
    reconcile,
    release_if_due,
    settle,
)

__all__ = [
    "DEPARTMENT",
    "TOKYO",
    "ReservationDeps",
    "availability",
    "cancel",
    "checkout",
    "close_day",
    "day_bookings",
    "decide_reduction",
    "facility_or_404",
    "get_reservation",
    "handle_event",
    "hold",
    "list_facilities",
    "mine",
    "month_view",
    "my_reductions",
    "pending_reductions",
    "put_facility",
    "quote",
    "receipt",
    "reconcile",
    "refund_percent",
    "release_if_due",
    "request_reduction",
    "settle",
    "slot_start_utc",
    "staff_facility",
    "today",
]

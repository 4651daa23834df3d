"""The domain events of a facility reservation (docs/metrics.md), written by the reservation store in the same
transaction as the reservation's change of status (the transactional outbox, madoguchi.shared.outbox).

| change of the reservation                                  | events                                        |
|------------------------------------------------------------|-----------------------------------------------|
| held → confirmed (paid or free), expired → confirmed (a late payment honoured) | `received` (the booking) |
| a payment recorded (its payment intent written the first time; also a late one refunded) | `payment_succeeded` |
| confirmed → cancelled (by the resident or a closure)      | `cancelled`                                   |
| held with a checkout still open → expired (nobody paid in time) | `payment_failed`                         |

Procedure: the facility booked, as `facility-<facility id>` (`facility-chuo-gym`): one pseudo-procedure per
facility, outside the procedure register, so a manager sees bookings, cancellations and payment success per
facility. Channel `online` (residents book on the site; there is no staff booking path). A hold that is
cancelled or expires before it was confirmed is no booking and counts nothing (but an open checkout that runs
out is a failed payment). Ids are `reservations:<id>:<step>`: every change is conditional on the status it
leaves, so each step is written once.
"""

from __future__ import annotations

from datetime import datetime

from madoguchi.metrics.models import DomainEvent, EventType
from madoguchi.reservations.models import PaymentStatus, Reservation, Status

FACILITY_PROCEDURE_PREFIX = "facility-"


def facility_procedure(facility_id: str) -> str:
    return f"{FACILITY_PROCEDURE_PREFIX}{facility_id}"


def reservation_events(before: Reservation, after: Reservation, now: datetime) -> list[DomainEvent]:
    """The events of the reservation changing from `before` to `after` (empty when no figure moves)."""
    events: list[DomainEvent] = []
    if after.status is Status.CONFIRMED and before.status in (Status.HELD, Status.EXPIRED):
        events.append(_event(after, "received", "confirmed", now))
    if after.payment_intent_id and after.payment_intent_id != before.payment_intent_id:
        events.append(_event(after, "payment_succeeded", "paid", now))  # also a late payment refunded at once
    if after.status is Status.CANCELLED and before.status is Status.CONFIRMED:
        events.append(_event(after, "cancelled", "cancelled", now))
    if (
        after.status is Status.EXPIRED
        and before.status is Status.HELD
        and before.payment_status is PaymentStatus.PENDING
        and after.payment_status is PaymentStatus.NONE
    ):
        events.append(_event(after, "payment_failed", "payment_failed", now))
    return events


def _event(reservation: Reservation, kind: EventType, step: str, at: datetime) -> DomainEvent:
    return DomainEvent(
        id=f"reservations:{reservation.id}:{step}",
        type=kind,
        context="reservations",
        aggregate_id=reservation.id,
        procedure_id=facility_procedure(reservation.facility_id),
        channel="online",
        occurred_at=at,
    )

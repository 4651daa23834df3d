"""A refund owed by a reservation: the effect that sends it (`reservations.refund`), written with the change that
makes it owed (a cancellation, a closure, a late payment for slots taken meanwhile), and its handler's work. The amount
and the Stripe idempotency key stay on the reservation (`refund_pending`, `refund_key`); the effect only points at it.
"""

from __future__ import annotations

from datetime import datetime

from aws_lambda_powertools import Logger

from madoguchi.effects.models import Effect
from madoguchi.payments.store import PaymentGateway
from madoguchi.reservations.models import Reservation, reference
from madoguchi.reservations.store import ReservationStore

logger = Logger(child=True)

REFUND = "reservations.refund"


def refund_owed(reservation: Reservation, now: datetime) -> list[Effect]:
    """The effect that sends the reservation's pending refund (amount and idempotency key stay on the reservation);
    none when nothing is owed. One per reservation: a reservation is refunded at most once."""
    if reservation.refund_pending <= 0 or not reservation.payment_intent_id or not reservation.refund_key:
        return []
    return [
        Effect(
            id=f"reservations:{reservation.id}:refund",
            kind=REFUND,
            payload={"reservation_id": reservation.id},
            created_at=now,
        )
    ]


def send_refund(store: ReservationStore, payments: PaymentGateway, reservation_id: str) -> None:
    """Carry out a `reservations.refund` effect: send the pending refund with the reservation's own idempotency key
    (Stripe refunds once per key, so a second run sends nothing more), then mark it done. Raises while Stripe fails
    or does not answer, or the reservation changed meanwhile: the effect stays owed and is tried again."""
    reservation = store.get(reservation_id)
    if reservation is None or reservation.refund_pending <= 0:
        return  # refunded already (a second delivery), or nothing to refund
    if not reservation.payment_intent_id or not reservation.refund_key:
        logger.warning("Refund owed without a payment", extra={"reservation": reservation.id})
        return
    payments.refund(
        reservation.payment_intent_id,
        reservation.refund_pending,
        reference(reservation.id),
        idempotency_key=reservation.refund_key,
    )
    # Conditional on the status it was read with: a Conflict leaves the effect owed (the same key on the next try).
    store.update(reservation.model_copy(update={"refund_pending": 0}), reservation.status.value)

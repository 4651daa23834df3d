"""The domain events of kiosk certificate orders (docs/metrics.md), written by the order store in the same
transaction as the order's change (the transactional outbox, madoguchi.shared.outbox).

| change of the order              | events                                                             |
|----------------------------------|--------------------------------------------------------------------|
| awaiting_payment → issued        | `received` (at the order's creation) and `completed` (at issue), channel `kiosk` |
| → declined / → canceled          | no receipt: nothing was requested of the city (no fee paid, nothing issued) |
| → issued / → declined            | also `payment_succeeded` / `payment_failed` (the terminal's payment, `kiosk`) |

An order is counted once it is paid and printed: the receipt is dated when the resident placed the order, so the
lead time and the handling time (the kiosk does the work as soon as the order is placed) run from the order to
the issue. Ids are `kiosk:<order id>:received|issued`: the issue is written once (the state condition), so
both events are too. Procedure: the certificate kind is the register's procedure id (`juminhyo`).
"""

from __future__ import annotations

from datetime import datetime

from madoguchi.kiosk.models import KioskOrder
from madoguchi.metrics.models import DomainEvent, EventType


def order_events(before: KioskOrder, after: KioskOrder, now: datetime | None = None) -> list[DomainEvent]:
    """The events of the order changing from `before` to `after` (empty for any change but the issue)."""
    if before.state == "awaiting_payment" and after.state == "declined":
        return [_payment(after, "payment_failed", now or after.created_at)]  # dated when the decline was learnt
    if before.state == "issued" or after.state != "issued" or after.issued_at is None:
        return []
    return [
        _event(after, "received", after.created_at),
        _event(after, "issued", after.issued_at, started=after.created_at),
        _payment(after, "payment_succeeded", after.issued_at),
    ]


def _payment(order: KioskOrder, kind: EventType, at: datetime) -> DomainEvent:
    """The terminal payment's outcome, counted under the order's certificate on channel `kiosk`."""
    return DomainEvent(
        id=f"kiosk:{order.id}:{kind}",
        type=kind,
        context="kiosk",
        aggregate_id=order.id,
        procedure_id=order.certificate,
        channel="kiosk",
        occurred_at=at,
    )


def _event(order: KioskOrder, step: str, at: datetime, started: datetime | None = None) -> DomainEvent:
    return DomainEvent(
        id=f"kiosk:{order.id}:{step}",
        type="completed" if started else "received",
        context="kiosk",
        aggregate_id=order.id,
        procedure_id=order.certificate,
        channel="kiosk",
        occurred_at=at,
        received_at=started,
        handling_started_at=started,
    )

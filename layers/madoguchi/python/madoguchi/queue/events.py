"""The domain events of queue tickets (docs/metrics.md), put in the outbox in the same transaction as the ticket.

A ticket issued (by a machine, a kiosk or a transfer from another counter) is a `received` at its counter; a
ticket served (`done`) is a `completed` carrying its issue time and its first call, so the aggregator gets the
waiting time (issued → first called) and the handling time (first called → done) from the one event. A call, a
recall, an absence or a cancellation moves no counter and writes no event. Channel `counter`; the procedure is the
register's id for the ticket's service where there is one (SERVICE_PROCEDURES), else the service id.
"""

from __future__ import annotations

from datetime import datetime

from madoguchi.metrics.models import DomainEvent, EventType
from madoguchi.queue.models import Ticket

# Queue services that are one register procedure (madoguchi.procedures); the others (consultations, services
# covering several procedures) count under their own id.
SERVICE_PROCEDURES: dict[str, str] = {
    "juminhyo": "juminhyo",
    "inkan": "inkan-toroku-shomei",
    "koseki": "koseki-shomei",
    "tennyu": "tennyu-todoke",
    "tenshutsu": "tenshutsu-todoke",
    "tenkyo": "tenkyo-todoke",
    "shussei": "shussei-todoke",
    "shotoku": "shotoku-kazei-shomei",
    "jido_teate": "jido-teate",
    "iryohi": "kodomo-iryohi-josei",
}


def procedure_of(service: str) -> str:
    return SERVICE_PROCEDURES.get(service, service.replace("_", "-").lower())


def ticket_event(before: Ticket | None, after: Ticket) -> DomainEvent | None:
    """The event of a ticket written new (`before` None) or changed from `before` to `after`."""
    if before is None:
        return _event(after, "issued", "received", after.issued_at)
    if after.state == "done" and before.state != "done" and after.completed_at is not None:
        started = after.first_called_at or after.called_at
        return _event(after, "done", "completed", after.completed_at, started)
    return None


def _event(
    ticket: Ticket, step: str, kind: EventType, at: datetime, handling_started_at: datetime | None = None
) -> DomainEvent:
    return DomainEvent(
        id=f"queue:{ticket.id}:{step}",
        type=kind,
        context="queue",
        aggregate_id=ticket.id,
        procedure_id=procedure_of(ticket.service),
        channel="counter",
        counter_id=ticket.counter,
        occurred_at=at,
        received_at=ticket.issued_at if kind == "completed" else None,
        handling_started_at=handling_started_at,
    )

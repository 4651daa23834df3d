"""What the queue's services share: their dependencies, counter lookup, the staff check, the wait estimate and
the views of a ticket."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Literal

from madoguchi.messaging.store import LineMessenger
from madoguchi.queue.models import (
    COUNTERS,
    LIVE,
    Counter,
    CounterStatus,
    StaffTicketView,
    StatusEntry,
    Ticket,
    TicketView,
)
from madoguchi.queue.store import QueueStore, WebPushSender
from madoguchi.shared.auth import Caller, Role, require
from madoguchi.shared.errors import InvalidInput, NotFound
from madoguchi.shared.i18n import Lang, pick

TICKET_TTL_DAYS = 400  # a year of history for the forecast, plus a margin; aggregates are kept longer


@dataclass(frozen=True)
class QueueDeps:
    """The ports the queue's services use (built by the handlers from madoguchi.wiring)."""

    store: QueueStore
    line: LineMessenger | None = None
    webpush: WebPushSender | None = None
    # Resident sub -> the LINE user id they linked by LINE Login (messaging context), or None when not linked.
    line_account: Callable[[str], str | None] | None = None


def known_counter(counter_id: str) -> Counter:
    found = COUNTERS.get(counter_id)
    if found is None:
        raise NotFound(counter=counter_id)
    return found


def staff_of(counter: Counter, caller: Caller | None) -> Caller:
    return require(caller, Role.STAFF, department=counter.department)


def _mean_service_seconds(counter: Counter, status: CounterStatus | None) -> float:
    if status is not None and status.mean_service_seconds and status.served >= 3:
        return status.mean_service_seconds
    return 60.0 * sum(s.minutes for s in counter.services) / len(counter.services)


def estimate_minutes(counter: Counter, ahead: int, status: CounterStatus | None) -> int:
    return math.ceil(ahead * _mean_service_seconds(counter, status) / max(1, counter.desks) / 60)


def level(counter: Counter, minutes: int) -> Literal["low", "medium", "high"]:
    return "low" if minutes < 20 else "medium" if minutes < 45 else "high"


def service_or_invalid(counter: Counter, service_id: str, field: str) -> None:
    if counter.service(service_id) is None:
        raise InvalidInput([(["body", field], "queue_unknown_service")])


def live_order(tickets: Iterable[Ticket]) -> list[Ticket]:
    return sorted((t for t in tickets if t.state in LIVE), key=lambda t: t.order())


def status_url(base_url: str, tid: str) -> str:
    return f"{base_url.rstrip('/')}/ticket/?id={tid}"


def ticket_view(ticket: Ticket, lang: Lang, ahead: int | None, wait: int | None) -> TicketView:
    c = COUNTERS[ticket.counter]
    service = c.service(ticket.service)
    return TicketView(
        id=ticket.id,
        number=ticket.number,
        counter=c.id,
        counter_name=pick(c.name, lang),
        service=ticket.service,
        service_name=pick(service.name, lang) if service else ticket.service,
        state=ticket.state,
        ahead=ahead,
        estimated_wait_minutes=wait,
        desk=ticket.desk,
        called_at=ticket.called_at,
        absent_until=ticket.absent_until,
        transferred_to=ticket.transferred_to,
        arrived_at=ticket.arrived_at,
        notify_line=bool(ticket.notify and ticket.notify.line_user_id),
        notify_webpush=bool(ticket.notify and ticket.notify.webpush),
        notify_ahead=ticket.notify.ahead if ticket.notify else None,
    )


def entry_view(
    tid: str, counter: Counter, e: StatusEntry, lang: Lang, ahead: int | None, wait: int | None
) -> TicketView:
    service = counter.service(e.service)
    return TicketView(
        id=tid,
        number=e.number,
        counter=counter.id,
        counter_name=pick(counter.name, lang),
        service=e.service,
        service_name=pick(service.name, lang) if service else e.service,
        state=e.state,
        ahead=ahead,
        estimated_wait_minutes=wait,
        desk=e.desk,
        called_at=e.called_at,
        absent_until=e.absent_until,
        arrived_at=e.arrived_at,
        notify_line=e.notify_line,
        notify_webpush=e.notify_webpush,
        notify_ahead=e.notify_ahead,
    )


def staff_view(t: Ticket, viewer: str | None = None) -> StaffTicketView:
    """`viewer`: the staff id asking, so the console knows which called ticket is its own after a reload."""
    return StaffTicketView(
        id=t.id,
        number=t.number,
        counter=t.counter,
        service=t.service,
        priority=t.priority,
        state=t.state,
        desk=t.desk,
        arrived_at=t.arrived_at,
        called_at=t.called_at,
        absent_until=t.absent_until,
        recalls=t.recalls,
        wait_seconds=t.wait_seconds,
        service_seconds=t.service_seconds,
        transferred_to=t.transferred_to,
        transferred_from=t.transferred_from,
        called_by_me=viewer is not None and t.state == "called" and t.called_by == viewer,
    )

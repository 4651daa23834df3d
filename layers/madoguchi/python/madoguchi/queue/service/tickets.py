"""Issuing tickets: a ticket machine or kiosk takes the counter's next number and prints the receipt."""

from __future__ import annotations

from datetime import datetime

from madoguchi.queue.models import IssueRequest, Ticket, TicketReceipt, new_key, service_day, ticket_id, ttl
from madoguchi.queue.service.common import (
    TICKET_TTL_DAYS,
    QueueDeps,
    known_counter,
    service_or_invalid,
    status_url,
    ticket_view,
)
from madoguchi.queue.service.status import Advance, position, publish
from madoguchi.shared.auth import Caller, DeviceKind, Role, require
from madoguchi.shared.errors import Forbidden
from madoguchi.shared.i18n import Lang


def qr_svg(url: str) -> str:
    import segno  # only the issuing path needs it

    return str(segno.make(url, error="m").svg_inline(scale=4, title="QR"))


def issue(
    counter_id: str,
    body: IssueRequest,
    caller: Caller | None,
    deps: QueueDeps,
    now: datetime,
    *,
    base_url: str,
    lang: Lang,
    idempotency_key: str | None = None,
) -> TicketReceipt:
    """The counter's next ticket. A retry with the same `Idempotency-Key` from the same device returns the
    ticket the first request issued (with its place now) and takes no number."""
    counter = known_counter(counter_id)
    device = require(caller, Role.DEVICE)
    if device.device_kind not in (DeviceKind.TICKET_MACHINE, DeviceKind.KIOSK):
        raise Forbidden()
    service_or_invalid(counter, body.service, "service")
    day = service_day(now)
    secret = new_key()

    def build(number: int) -> Ticket:
        return Ticket(
            id=ticket_id(counter.id, day, number, secret),
            counter=counter.id,
            day=day,
            number=number,
            key=secret,
            service=body.service,
            priority=body.priority,
            arrived_at=now,
            issued_at=now,
            issued_by=device.sub,
            expires_at=ttl(now, TICKET_TTL_DAYS),
        )

    advance = Advance(now)
    key = f"{device.sub}#{idempotency_key}" if idempotency_key else None
    written = deps.store.issue(counter.id, day, build, advance, idempotency=key)
    ticket = written.ticket
    if not written.replayed:
        publish(written.status, deps.store)
    ahead, wait = position(written.status, ticket)
    url = status_url(base_url, ticket.id)
    view = ticket_view(ticket, lang, ahead, wait)
    return TicketReceipt(**view.model_dump(), status_url=url, qr_svg=qr_svg(url))

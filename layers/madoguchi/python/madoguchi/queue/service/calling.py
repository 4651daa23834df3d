"""Staff at a counter: call the next ticket (priority, then first arrival), recall, mark absent with a grace
period, requeue, complete, cancel, and hand a resident to another counter keeping the first arrival time."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from madoguchi.queue.models import (
    COUNTERS,
    Action,
    CallNext,
    Counter,
    StaffTicketList,
    Ticket,
    TicketState,
    Transfer,
    new_key,
    parse_ticket_id,
    service_day,
    ticket_id,
    ttl,
)
from madoguchi.queue.service.common import (
    TICKET_TTL_DAYS,
    QueueDeps,
    known_counter,
    live_order,
    service_or_invalid,
    staff_of,
    staff_view,
)
from madoguchi.queue.service.status import Advance, publish
from madoguchi.queue.store import QueueStore
from madoguchi.shared.auth import Caller
from madoguchi.shared.errors import Conflict, InvalidInput, NotFound
from madoguchi.shared.retries import retry_key


class GraceOver(Conflict):
    code = "queue_grace_over"


class TicketStateConflict(Conflict):
    code = "queue_ticket_state"


def call_next(
    counter_id: str,
    body: CallNext,
    caller: Caller | None,
    deps: QueueDeps,
    now: datetime,
    *,
    idempotency_key: str | None = None,
) -> Ticket | None:
    """Call the first waiting ticket to the desk. A retry with the same `Idempotency-Key` from the same staff
    member returns the ticket the first request called, and calls no second resident."""
    counter = known_counter(counter_id)
    staff = staff_of(counter, caller)
    remember = retry_key(staff.sub, "call", idempotency_key)
    store = deps.store
    if remember and (done := store.by_idempotency(remember)):
        return done
    day = service_day(now)
    for _ in range(20):  # another desk may call the same ticket first: take the next one
        status = store.status(counter.id, day)
        waiting = [e for e in status.entries if e.state == "waiting"] if status else []
        if not waiting:
            return None
        first = store.get(counter.id, day, waiting[0].number)
        if first is None:
            continue
        advance = Advance(now)
        changes = _call_changes(first, staff, body.desk, now)
        try:
            written = store.change(first, ("waiting",), changes, advance, idempotency=remember)
        except Conflict:
            if remember and (done := store.by_idempotency(remember)):
                return done  # a concurrent retry with the same key called first
            continue
        publish(written.status, store)
        return written.ticket
    raise Conflict(counter=counter.id)


def live_tickets(counter_id: str, caller: Caller | None, deps: QueueDeps, now: datetime) -> StaffTicketList:
    """The counter's live tickets with their ids, for the staff console (one Query of the day)."""
    counter = known_counter(counter_id)
    staff = staff_of(counter, caller)
    _, tickets = deps.store.day(counter.id, service_day(now))
    live = live_order(tickets)
    called = sorted((t for t in live if t.state == "called"), key=lambda t: t.called_at or t.arrived_at, reverse=True)
    rest = [t for t in live if t.state != "called"]
    return StaffTicketList(tickets=[staff_view(t, staff.sub) for t in called + rest])


def _call_changes(t: Ticket, staff: Caller, desk: str, now: datetime) -> dict[str, Any]:
    changes: dict[str, Any] = {"state": "called", "called_at": now, "called_by": staff.sub, "desk": desk}
    if t.first_called_at is None:
        changes["first_called_at"] = now
        changes["wait_seconds"] = max(0, int((now - t.arrived_at).total_seconds()))
    return changes


def _ticket_at(counter: Counter, tid: str, store: QueueStore) -> Ticket:
    parsed = parse_ticket_id(tid)
    if parsed is None or parsed[0] != counter.id:
        raise NotFound(ticket=tid)
    ticket = store.get(parsed[0], parsed[1], parsed[2])
    if ticket is None or ticket.key != parsed[3]:
        raise NotFound(ticket=tid)
    return ticket


def act(
    counter_id: str,
    tid: str,
    action: Action,
    caller: Caller | None,
    deps: QueueDeps,
    now: datetime,
    *,
    grace: timedelta,
    desk: str | None = None,
    idempotency_key: str | None = None,
) -> Ticket:
    """Recall, absent, requeue, complete or cancel one ticket. Each but a recall moves it from one state to the next
    once; a recall's retry with the same `Idempotency-Key` returns the ticket it recalled and notifies nobody again."""
    counter = known_counter(counter_id)
    staff = staff_of(counter, caller)
    remember = retry_key(staff.sub, "recall", idempotency_key) if action == "recall" else None
    if remember and (done := deps.store.by_idempotency(remember)):
        return done
    ticket = _ticket_at(counter, tid, deps.store)
    expected: tuple[TicketState, ...]
    changes: dict[str, Any]
    if action == "recall":  # call again (the resident did not come yet): the notice goes out again
        expected = ("called", "absent")
        if ticket.state == "absent" and ticket.absent_until and now > ticket.absent_until:
            raise GraceOver()
        changes = {
            "state": "called",
            "called_at": now,
            "called_by": staff.sub,
            "recalls": ticket.recalls + 1,
            "absent_until": None,
            "desk": desk or ticket.desk,
        }
    elif action == "absent":  # not here: keeps the place for the grace period
        expected = ("called",)
        changes = {"state": "absent", "absent_until": now + grace}
    elif action == "requeue":  # came back within the grace period: back in line at the original arrival time
        expected = ("absent",)
        if ticket.absent_until is None or now > ticket.absent_until:
            raise GraceOver()
        changes = {"state": "waiting", "absent_until": None, "desk": None, "called_at": None}
    elif action == "complete":
        expected = ("called",)
        called_at = ticket.called_at or now  # a called ticket always has it; never fail a completion over it
        changes = {
            "state": "done",
            "completed_at": now,
            "service_seconds": max(0, int((now - called_at).total_seconds())),
        }
    else:
        expected = ("waiting", "called", "absent")
        changes = {"state": "cancelled", "completed_at": now}
    if ticket.state not in expected:
        raise TicketStateConflict()
    advance = Advance(now)
    try:
        written = deps.store.change(ticket, expected, changes, advance, idempotency=remember)
    except Conflict:
        if remember and (done := deps.store.by_idempotency(remember)):
            return done  # a concurrent retry with the same key recalled it first
        raise
    publish(written.status, deps.store)
    return written.ticket


def transfer(
    counter_id: str,
    tid: str,
    body: Transfer,
    caller: Caller | None,
    deps: QueueDeps,
    now: datetime,
    *,
    idempotency_key: str | None = None,
) -> Ticket:
    """Hand the resident to another counter (e.g. おくやみ → 保険年金): a new number there, the same first
    arrival time, so they are not sent to the back of another line. A retry with the same `Idempotency-Key`
    from the same staff member returns the new ticket of the first request."""
    counter = known_counter(counter_id)
    staff = staff_of(counter, caller)
    remember = retry_key(staff.sub, "transfer", idempotency_key)
    if remember and (done := deps.store.by_idempotency(remember)):
        return done
    target = COUNTERS.get(body.to)
    if target is None or target.id == counter.id:
        raise InvalidInput([(["body", "to"], "queue_unknown_counter")])
    service_or_invalid(target, body.service, "service")
    store = deps.store
    ticket = _ticket_at(counter, tid, store)
    expected: tuple[TicketState, ...] = ("waiting", "called", "absent")
    if ticket.state not in expected:
        raise TicketStateConflict()
    day = service_day(now)
    key = new_key()

    def build(number: int) -> Ticket:
        return Ticket(
            id=ticket_id(target.id, day, number, key),
            counter=target.id,
            day=day,
            number=number,
            key=key,
            service=body.service,
            priority=ticket.priority,
            arrived_at=ticket.arrived_at,
            issued_at=now,
            issued_by=staff.sub,
            transferred_from=ticket.id,
            notify=ticket.notify,
            expires_at=ttl(now, TICKET_TTL_DAYS),
        )

    changes: dict[str, Any] = {"state": "transferred", "completed_at": now}
    if ticket.called_at is not None:
        changes["service_seconds"] = max(0, int((now - ticket.called_at).total_seconds()))
    advance = Advance(now)
    try:
        written = store.transfer(ticket, expected, {**changes}, target.id, build, advance, idempotency=remember)
    except Conflict:
        if remember and (done := store.by_idempotency(remember)):
            return done  # a concurrent retry with the same key handed it over first
        raise
    publish(written.status, store)
    if written.target is not None:
        publish(written.target, store)
    return written.ticket

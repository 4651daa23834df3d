"""Queue rules: issue tickets, call in priority then arrival order, recall, absent with a grace period, complete,
transfer keeping the first arrival time; rebuild the counter's cached status after every change and tell the
residents who opted in (LINE, Web Push) when few tickets are ahead and when they are called."""

from __future__ import annotations

import math
import uuid
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import Any, Literal

from aws_lambda_powertools import Logger
from pydantic import BaseModel, Field

from madoguchi.queue.models import (
    COUNTERS,
    LIVE,
    BandStats,
    Counter,
    CounterStatus,
    DayStats,
    Notify,
    Priority,
    ServiceStats,
    StatusEntry,
    Ticket,
    TicketState,
    WebPushSubscription,
    band_of,
    new_key,
    notice_text,
    parse_ticket_id,
    service_day,
    ticket_id,
    ttl,
)
from madoguchi.queue.store import QueueStore, WebPushSender
from madoguchi.shared.auth import Caller, DeviceKind, Role, require
from madoguchi.shared.errors import Conflict, Forbidden, InvalidInput, NotFound
from madoguchi.shared.i18n import Lang, pick

logger = Logger(child=True)

TICKET_TTL_DAYS = 400  # a year of history for the forecast, plus a margin; aggregates are kept longer
LINE_USER_ID = r"^U[0-9a-f]{32}$"


# --- requests and views -----------------------------------------------------------------------------------
class IssueRequest(BaseModel):
    service: str = Field(min_length=1, max_length=40, description="Service id of the counter")
    priority: Priority | None = Field(default=None, description="appointment (booked) or assistance (needs help)")


class CallNext(BaseModel):
    desk: str = Field(min_length=1, max_length=10, description="Desk (窓口番号) the resident should come to")


class Transfer(BaseModel):
    to: str = Field(min_length=1, max_length=40, description="Counter id to hand the resident over to")
    service: str = Field(min_length=1, max_length=40, description="Service at that counter")


class NotifyRequest(BaseModel):
    ahead: int = Field(default=3, ge=0, le=50, description="Tell me when this many tickets or fewer are ahead")
    lang: Lang = "ja"
    line_user_id: str | None = Field(
        default=None, pattern=LINE_USER_ID,
        description="LINE user id from LINE Login (the city's channel); stored as an id only")
    webpush: WebPushSubscription | None = None


class TicketView(BaseModel):
    id: str
    number: int
    counter: str
    counter_name: str
    service: str
    service_name: str
    state: TicketState
    ahead: int | None = Field(description="Tickets to be called before this one (waiting only)")
    estimated_wait_minutes: int | None
    desk: str | None = None
    called_at: datetime | None = None
    absent_until: datetime | None = None
    transferred_to: str | None = None
    arrived_at: datetime
    notify_line: bool = False
    notify_webpush: bool = False
    notify_ahead: int | None = None


class TicketReceipt(TicketView):
    """The printable ticket: number, counter, people ahead, estimated wait and a QR code to the status page."""

    status_url: str
    qr_svg: str = Field(description="SVG QR code of status_url, for the ticket printer or kiosk screen")


class CalledView(BaseModel):
    number: int
    desk: str | None
    called_at: datetime | None
    recalls: int


class WaitingView(BaseModel):
    """Public: numbers and services only (who has priority, e.g. needs help, is for staff to see)."""

    number: int
    service: str
    state: TicketState
    absent_until: datetime | None = None


class StatusView(BaseModel):
    counter: str
    counter_name: str
    department: str
    day: date
    updated_at: datetime | None
    waiting: int
    estimated_wait_minutes: int
    last_issued: int
    calling: list[CalledView]
    queue: list[WaitingView] = Field(description="Live tickets in call order (numbers only)")
    served: int


class StaffTicketView(BaseModel):
    """What the staff console sees of a ticket it acts on."""

    id: str
    number: int
    counter: str
    service: str
    priority: Priority | None
    state: TicketState
    desk: str | None
    arrived_at: datetime
    called_at: datetime | None
    absent_until: datetime | None
    recalls: int
    wait_seconds: int | None
    service_seconds: int | None
    transferred_to: str | None
    transferred_from: str | None


class StaffTicketList(BaseModel):
    tickets: list[StaffTicketView] = Field(description="Today's live tickets (called, waiting, absent) in call order")


class CallResult(BaseModel):
    ticket: StaffTicketView | None = Field(description="The called ticket, or null if nobody waits")


class ServiceInfo(BaseModel):
    id: str
    name: str
    minutes: int


class CounterInfo(BaseModel):
    id: str
    department: str
    name: str
    desks: int
    services: list[ServiceInfo]


class CounterList(BaseModel):
    counters: list[CounterInfo]


class LiveCounter(BaseModel):
    counter: str
    name: str
    waiting: int
    estimated_wait_minutes: int
    calling: list[int] = Field(description="Numbers being called, latest first")
    desks: list[str | None] = Field(description="Desk of each number in `calling`")
    level: Literal["low", "medium", "high"]


class CongestionNow(BaseModel):
    updated_at: datetime | None
    counters: list[LiveCounter]


class StatsDay(BaseModel):
    day: date
    tickets: int
    served: int
    no_show: int
    mean_wait_minutes: float | None
    bands: dict[str, float | None] = Field(description="Mean wait minutes per time band")


class StatsService(BaseModel):
    service: str
    name: str
    served: int
    mean_wait_minutes: float | None
    mean_service_minutes: float | None


class CounterStats(BaseModel):
    counter: str
    days: list[StatsDay]
    services: list[StatsService]


# --- helpers ------------------------------------------------------------------------------------------------
def known_counter(counter_id: str) -> Counter:
    found = COUNTERS.get(counter_id)
    if found is None:
        raise NotFound(counter=counter_id)
    return found


def _staff_of(counter: Counter, caller: Caller | None) -> Caller:
    return require(caller, Role.STAFF, department=counter.department)


def _mean_service_seconds(counter: Counter, status: CounterStatus | None) -> float:
    if status is not None and status.mean_service_seconds and status.served >= 3:
        return status.mean_service_seconds
    return 60.0 * sum(s.minutes for s in counter.services) / len(counter.services)


def estimate_minutes(counter: Counter, ahead: int, status: CounterStatus | None) -> int:
    return math.ceil(ahead * _mean_service_seconds(counter, status) / max(1, counter.desks) / 60)


def level(counter: Counter, minutes: int) -> Literal["low", "medium", "high"]:
    return "low" if minutes < 20 else "medium" if minutes < 45 else "high"


def _ticket_view(ticket: Ticket, lang: Lang, ahead: int | None, wait: int | None) -> TicketView:
    c = COUNTERS[ticket.counter]
    service = c.service(ticket.service)
    return TicketView(
        id=ticket.id, number=ticket.number, counter=c.id, counter_name=pick(c.name, lang), service=ticket.service,
        service_name=pick(service.name, lang) if service else ticket.service, state=ticket.state, ahead=ahead,
        estimated_wait_minutes=wait, desk=ticket.desk, called_at=ticket.called_at, absent_until=ticket.absent_until,
        transferred_to=ticket.transferred_to, arrived_at=ticket.arrived_at,
        notify_line=bool(ticket.notify and ticket.notify.line_user_id),
        notify_webpush=bool(ticket.notify and ticket.notify.webpush),
        notify_ahead=ticket.notify.ahead if ticket.notify else None,
    )


def staff_view(t: Ticket) -> StaffTicketView:
    return StaffTicketView(
        id=t.id, number=t.number, counter=t.counter, service=t.service, priority=t.priority, state=t.state,
        desk=t.desk, arrived_at=t.arrived_at, called_at=t.called_at, absent_until=t.absent_until, recalls=t.recalls,
        wait_seconds=t.wait_seconds, service_seconds=t.service_seconds, transferred_to=t.transferred_to,
        transferred_from=t.transferred_from,
    )


def _service_or_invalid(counter: Counter, service_id: str, field: str) -> None:
    if counter.service(service_id) is None:
        raise InvalidInput([(["body", field], "queue_unknown_service")])


def status_url(base_url: str, tid: str) -> str:
    return f"{base_url.rstrip('/')}/ticket/?id={tid}"


def qr_svg(url: str) -> str:
    import segno  # only the issuing path needs it

    return str(segno.make(url, error="m").svg_inline(scale=4, title="QR"))


def _live_order(tickets: Iterable[Ticket]) -> list[Ticket]:
    return sorted((t for t in tickets if t.state in LIVE), key=lambda t: t.order())


# --- issue ------------------------------------------------------------------------------------------------
def issue(counter_id: str, body: IssueRequest, caller: Caller | None, store: QueueStore, now: datetime,
          base_url: str, lang: Lang) -> tuple[TicketReceipt, list[Notice]]:
    counter = known_counter(counter_id)
    device = require(caller, Role.DEVICE)
    if device.device_kind not in (DeviceKind.TICKET_MACHINE, DeviceKind.KIOSK):
        raise Forbidden()
    _service_or_invalid(counter, body.service, "service")
    day = service_day(now)
    key = new_key()

    def build(number: int) -> Ticket:
        return Ticket(id=ticket_id(counter.id, day, number, key), counter=counter.id, day=day, number=number,
                      key=key, service=body.service, priority=body.priority, arrived_at=now, issued_at=now,
                      issued_by=device.sub, expires_at=ttl(now, TICKET_TTL_DAYS))

    ticket = store.issue(counter.id, day, build)
    status, notices = refresh(counter.id, day, store, now)
    ahead, wait = _position(counter, status, ticket)
    url = status_url(base_url, ticket.id)
    view = _ticket_view(ticket, lang, ahead, wait)
    return TicketReceipt(**view.model_dump(), status_url=url, qr_svg=qr_svg(url)), notices


def _position(counter: Counter, status: CounterStatus, ticket: Ticket) -> tuple[int | None, int | None]:
    if ticket.state != "waiting":
        return None, None
    waiting = [e for e in status.entries if e.state == "waiting"]
    ahead = next((i for i, e in enumerate(waiting) if e.number == ticket.number), len(waiting))
    return ahead, estimate_minutes(counter, ahead, status)


# --- reads (one small read each) -------------------------------------------------------------------------
def view_ticket(tid: str, store: QueueStore, now: datetime, lang: Lang) -> TicketView:
    parsed = parse_ticket_id(tid)
    if parsed is None:
        raise NotFound(ticket=tid)
    counter_id, day, number, key = parsed
    counter = COUNTERS[counter_id]
    status = store.status(counter_id)
    if status is not None and status.day == day:
        entry = next((e for e in status.entries if e.number == number), None)
        if entry is not None:
            if entry.key != key:
                raise NotFound(ticket=tid)
            waiting = [e for e in status.entries if e.state == "waiting"]
            ahead = next((i for i, e in enumerate(waiting) if e.number == number), None)
            wait = estimate_minutes(counter, ahead, status) if ahead is not None else None
            return _entry_view(tid, counter, day, entry, lang, ahead, wait)
    # Not live any more (served, transferred, past its grace) or another day: the ticket itself, once.
    ticket = store.get(counter_id, day, number)
    if ticket is None or ticket.key != key:
        raise NotFound(ticket=tid)
    return _ticket_view(ticket, lang, None, None)


def _entry_view(tid: str, counter: Counter, day: date, e: StatusEntry, lang: Lang, ahead: int | None,
                wait: int | None) -> TicketView:
    service = counter.service(e.service)
    return TicketView(
        id=tid, number=e.number, counter=counter.id, counter_name=pick(counter.name, lang), service=e.service,
        service_name=pick(service.name, lang) if service else e.service, state=e.state, ahead=ahead,
        estimated_wait_minutes=wait, desk=e.desk, called_at=e.called_at, absent_until=e.absent_until,
        arrived_at=e.arrived_at, notify_line=e.notify_line, notify_webpush=e.notify_webpush,
        notify_ahead=e.notify_ahead,
    )


def counter_status(counter_id: str, store: QueueStore, now: datetime, lang: Lang) -> StatusView:
    counter = known_counter(counter_id)
    status = store.status(counter_id)
    today = service_day(now)
    if status is None or status.day != today:
        status = CounterStatus(counter=counter_id, day=today, updated_at=now)
    waiting = [e for e in status.entries if e.state == "waiting"]
    return StatusView(
        counter=counter.id, counter_name=pick(counter.name, lang), department=counter.department, day=status.day,
        updated_at=status.updated_at, waiting=len(waiting),
        estimated_wait_minutes=estimate_minutes(counter, len(waiting), status), last_issued=status.last_issued,
        calling=[CalledView(number=e.number, desk=e.desk, called_at=e.called_at, recalls=e.recalls)
                 for e in status.called()],
        queue=[WaitingView(number=e.number, service=e.service, state=e.state, absent_until=e.absent_until)
               for e in status.entries if e.state in ("waiting", "absent")],
        served=status.served,
    )


def counters(lang: Lang) -> CounterList:
    return CounterList(counters=[
        CounterInfo(id=c.id, department=c.department, name=pick(c.name, lang), desks=c.desks,
                    services=[ServiceInfo(id=s.id, name=pick(s.name, lang), minutes=s.minutes) for s in c.services])
        for c in COUNTERS.values()
    ])


def congestion_now(store: QueueStore, now: datetime, lang: Lang) -> CongestionNow:
    summaries = store.summaries()
    today = service_day(now).isoformat()
    rows: list[LiveCounter] = []
    updated: list[datetime] = []
    for c in COUNTERS.values():
        s = summaries.get(c.id)
        if s and s.get("day") == today:
            waiting, minutes, calling = int(s["waiting"]), int(s["minutes"]), [int(n) for n in s.get("calling", [])]
            desks = [str(d) if d is not None else None for d in s.get("desks", [None] * len(calling))]
            updated.append(datetime.fromisoformat(str(s["updated_at"])))
        else:
            waiting, minutes, calling, desks = 0, 0, [], []
        rows.append(LiveCounter(counter=c.id, name=pick(c.name, lang), waiting=waiting,
                                estimated_wait_minutes=minutes, calling=calling, desks=desks, level=level(c, minutes)))
    return CongestionNow(updated_at=max(updated) if updated else None, counters=rows)


# --- staff actions --------------------------------------------------------------------------------------
def call_next(counter_id: str, body: CallNext, caller: Caller | None, store: QueueStore,
              now: datetime) -> tuple[Ticket | None, list[Notice]]:
    counter = known_counter(counter_id)
    staff = _staff_of(counter, caller)
    day = service_day(now)
    for _ in range(20):  # another desk may call the same ticket first: take the next one
        _, tickets = store.day(counter.id, day)
        candidates = [t for t in _live_order(tickets) if t.state == "waiting"]
        if not candidates:
            return None, []
        first = candidates[0]
        try:
            called = store.change(first, ("waiting",), _call_changes(first, staff, body.desk, now))
        except Conflict:
            continue
        _, notices = refresh(counter.id, day, store, now)
        return called, notices
    raise Conflict(counter=counter.id)


def live_tickets(counter_id: str, caller: Caller | None, store: QueueStore, now: datetime) -> StaffTicketList:
    """The counter's live tickets with their ids, for the staff console (one Query of the day)."""
    counter = known_counter(counter_id)
    _staff_of(counter, caller)
    _, tickets = store.day(counter.id, service_day(now))
    live = _live_order(tickets)
    called = sorted((t for t in live if t.state == "called"), key=lambda t: t.called_at or t.arrived_at, reverse=True)
    rest = [t for t in live if t.state != "called"]
    return StaffTicketList(tickets=[staff_view(t) for t in called + rest])


def _call_changes(t: Ticket, staff: Caller, desk: str, now: datetime) -> dict[str, Any]:
    changes: dict[str, Any] = {"state": "called", "called_at": now, "called_by": staff.sub, "desk": desk}
    if t.first_called_at is None:
        changes["first_called_at"] = now
        changes["wait_seconds"] = max(0, int((now - t.arrived_at).total_seconds()))
    if t.notify:
        changes["notify"] = t.notify.model_copy(update={"notified_called": False})
    return changes


Action = Literal["recall", "absent", "requeue", "complete", "cancel"]


def _ticket_at(counter: Counter, tid: str, store: QueueStore) -> Ticket:
    parsed = parse_ticket_id(tid)
    if parsed is None or parsed[0] != counter.id:
        raise NotFound(ticket=tid)
    ticket = store.get(parsed[0], parsed[1], parsed[2])
    if ticket is None or ticket.key != parsed[3]:
        raise NotFound(ticket=tid)
    return ticket


def act(counter_id: str, tid: str, action: Action, caller: Caller | None, store: QueueStore, now: datetime,
        grace: timedelta, desk: str | None = None) -> tuple[Ticket, list[Notice]]:
    counter = known_counter(counter_id)
    staff = _staff_of(counter, caller)
    ticket = _ticket_at(counter, tid, store)
    expected: tuple[TicketState, ...]
    changes: dict[str, Any]
    if action == "recall":  # call again (the resident did not come yet): the notice goes out again
        expected = ("called", "absent")
        if ticket.state == "absent" and ticket.absent_until and now > ticket.absent_until:
            raise GraceOver()
        changes = {"state": "called", "called_at": now, "called_by": staff.sub, "recalls": ticket.recalls + 1,
                   "absent_until": None, "desk": desk or ticket.desk}
        if ticket.notify:
            changes["notify"] = ticket.notify.model_copy(update={"notified_called": False})
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
        changes = {"state": "done", "completed_at": now,
                   "service_seconds": max(0, int((now - called_at).total_seconds()))}
    else:
        expected = ("waiting", "called", "absent")
        changes = {"state": "cancelled", "completed_at": now}
    if ticket.state not in expected:
        raise TicketStateConflict()
    changed = store.change(ticket, expected, changes)
    _, notices = refresh(counter.id, ticket.day, store, now)
    return changed, notices


class GraceOver(Conflict):
    code = "queue_grace_over"


class TicketStateConflict(Conflict):
    code = "queue_ticket_state"


def transfer(counter_id: str, tid: str, body: Transfer, caller: Caller | None, store: QueueStore,
             now: datetime) -> tuple[Ticket, list[Notice]]:
    """Hand the resident to another counter (e.g. おくやみ → 保険年金): a new number there, the same first
    arrival time, so they are not sent to the back of another line."""
    counter = known_counter(counter_id)
    staff = _staff_of(counter, caller)
    target = COUNTERS.get(body.to)
    if target is None or target.id == counter.id:
        raise InvalidInput([(["body", "to"], "queue_unknown_counter")])
    _service_or_invalid(target, body.service, "service")
    ticket = _ticket_at(counter, tid, store)
    expected: tuple[TicketState, ...] = ("waiting", "called", "absent")
    if ticket.state not in expected:
        raise TicketStateConflict()
    day = service_day(now)
    key = new_key()

    def build(number: int) -> Ticket:
        return Ticket(id=ticket_id(target.id, day, number, key), counter=target.id, day=day, number=number, key=key,
                      service=body.service, priority=ticket.priority, arrived_at=ticket.arrived_at, issued_at=now,
                      issued_by=staff.sub, transferred_from=ticket.id,
                      notify=ticket.notify.model_copy(update={"notified_ahead": False, "notified_called": False})
                      if ticket.notify else None,
                      expires_at=ttl(now, TICKET_TTL_DAYS))

    changes: dict[str, Any] = {"state": "transferred", "completed_at": now}
    if ticket.called_at is not None:
        changes["service_seconds"] = max(0, int((now - ticket.called_at).total_seconds()))
    new = store.transfer(ticket, expected, {**changes}, target.id, build)
    _, notices_from = refresh(counter.id, ticket.day, store, now)
    _, notices_to = refresh(target.id, day, store, now)
    return new, notices_from + notices_to


# --- notifications -----------------------------------------------------------------------------------------
class NoticeRequestEmpty(InvalidInput):
    def __init__(self) -> None:
        super().__init__([(["body"], "queue_notify_channel")])


def push_endpoint_allowed(endpoint: str, hosts: list[str], allow_http: bool) -> bool:
    """Only a known browser push service (https, host or subdomain of an allowed one)."""
    from urllib.parse import urlsplit

    parts = urlsplit(endpoint)
    host = (parts.hostname or "").lower()
    if parts.scheme != "https" and not (allow_http and parts.scheme == "http"):
        return False
    return any(host == h or host.endswith("." + h) for h in hosts)


def opt_in(tid: str, body: NotifyRequest, store: QueueStore, now: datetime, lang: Lang,
           push_hosts: list[str] | None = None, allow_http: bool = False) -> tuple[TicketView, list[Notice]]:
    parsed = parse_ticket_id(tid)
    if parsed is None:
        raise NotFound(ticket=tid)
    if not body.line_user_id and not body.webpush:
        raise NoticeRequestEmpty()
    if body.webpush and not push_endpoint_allowed(body.webpush.endpoint, push_hosts or [], allow_http):
        raise InvalidInput([(["body", "webpush", "endpoint"], "queue_push_service")])
    ticket = store.get(parsed[0], parsed[1], parsed[2])
    if ticket is None or ticket.key != parsed[3]:
        raise NotFound(ticket=tid)
    notify = Notify(lang=body.lang, ahead=body.ahead, line_user_id=body.line_user_id, webpush=body.webpush)
    stored = store.set_notify(ticket, notify.model_dump(mode="json", exclude_none=True))
    status, notices = refresh(ticket.counter, ticket.day, store, now)
    counter = COUNTERS[ticket.counter]
    ahead, wait = _position(counter, status, stored)
    return _ticket_view(stored, lang, ahead, wait), notices


class Notice(BaseModel):
    kind: Literal["ahead", "called"]
    ticket: Ticket
    ahead: int = 0


def send_notices(notices: list[Notice], store: QueueStore, line: Any, webpush: WebPushSender | None,
                 base_url: str) -> int:
    """Send each notice once (the flag is set first with a conditional write: at most once, never twice).
    A failed delivery is logged by type and does not undo the staff action. Returns how many were sent."""
    sent = 0
    for notice in notices:
        t, notify = notice.ticket, notice.ticket.notify
        if notify is None or not store.mark_notified(t, notice.kind):
            continue
        text = notice_text(notice.kind, t, notify.lang, status_url(base_url, t.id), notice.ahead)
        try:
            if notify.line_user_id and line is not None:
                retry_key = str(uuid.uuid5(uuid.NAMESPACE_URL, f"{t.id}:{notice.kind}:{t.recalls}"))
                line.push(notify.line_user_id, [text], retry_key=retry_key)
            if notify.webpush and webpush is not None:
                webpush.send(notify.webpush.model_dump(), text)
            sent += 1
        except Exception as e:  # delivery is best effort; the queue has moved on either way
            logger.warning("Notice not delivered", extra={"error_type": type(e).__name__, "kind": notice.kind})
    return sent


# --- the cached status ---------------------------------------------------------------------------------------
def refresh(counter_id: str, day: date, store: QueueStore, now: datetime) -> tuple[CounterStatus, list[Notice]]:
    """Rebuild the counter's status from its day (one consistent Query) and store it unless a newer one is
    there; also the day's aggregate and the live congestion entry. Returns the notices now due."""
    counter = COUNTERS[counter_id]
    rev, tickets = store.day(counter_id, day)
    live = [t for t in _live_order(tickets) if not (t.state == "absent" and t.absent_until and now > t.absent_until)]
    served = [t for t in tickets if t.state == "done" and t.service_seconds is not None]
    waited = [t.wait_seconds for t in tickets if t.wait_seconds is not None]
    status = CounterStatus(
        counter=counter_id, day=day, rev=rev, updated_at=now, last_issued=max((t.number for t in tickets), default=0),
        entries=[StatusEntry(number=t.number, key=t.key, service=t.service, priority=t.priority, state=t.state,
                             arrived_at=t.arrived_at, called_at=t.called_at, desk=t.desk, recalls=t.recalls,
                             absent_until=t.absent_until, transferred_from=bool(t.transferred_from),
                             notify_line=bool(t.notify and t.notify.line_user_id),
                             notify_webpush=bool(t.notify and t.notify.webpush),
                             notify_ahead=t.notify.ahead if t.notify else None) for t in live],
        served=len(served),
        mean_service_seconds=sum(t.service_seconds or 0 for t in served) / len(served) if served else None,
        mean_wait_seconds=sum(waited) / len(waited) if waited else None,
    )
    if store.put_status(status):
        waiting = [t for t in live if t.state == "waiting"]
        store.put_summary(counter_id, rev, {
            "day": day.isoformat(), "waiting": len(waiting), "minutes": estimate_minutes(counter, len(waiting), status),
            "calling": [e.number for e in status.called()][:5], "desks": [e.desk for e in status.called()][:5],
            "updated_at": now.isoformat(),
        })
        store.put_day_stats(day_stats(counter_id, day, tickets))
    notices: list[Notice] = []
    waiting_order = [t for t in live if t.state == "waiting"]
    for i, t in enumerate(waiting_order):
        if t.notify and not t.notify.notified_ahead and i <= t.notify.ahead:
            notices.append(Notice(kind="ahead", ticket=t, ahead=i))
    for t in live:
        if t.state == "called" and t.notify and not t.notify.notified_called:
            notices.append(Notice(kind="called", ticket=t))
    return status, notices


def day_stats(counter_id: str, day: date, tickets: list[Ticket]) -> DayStats:
    stats = DayStats(counter=counter_id, day=day, tickets=len([t for t in tickets if not t.transferred_from]))
    for t in tickets:
        band = stats.bands.setdefault(band_of(t.arrived_at if not t.transferred_from else t.issued_at), BandStats())
        if not t.transferred_from:
            band.tickets += 1
        if t.wait_seconds is not None:
            band.served += 1
            band.wait_seconds_sum += t.wait_seconds
        if t.state == "cancelled" or (t.state == "absent" and t.absent_until is not None):
            stats.no_show += 1
        if t.state == "done" and t.service_seconds is not None:
            stats.served += 1
            s = stats.services.setdefault(t.service, ServiceStats())
            s.served += 1
            s.wait_seconds_sum += t.wait_seconds or 0
            s.service_seconds_sum += t.service_seconds
    return stats


def counter_stats(counter_id: str, caller: Caller | None, store: QueueStore, now: datetime, days: int,
                  lang: Lang) -> CounterStats:
    counter = known_counter(counter_id)
    _staff_of(counter, caller)
    until = service_day(now)
    rows = store.day_stats(counter.id, until - timedelta(days=days - 1), until)
    totals: dict[str, ServiceStats] = {}
    out_days: list[StatsDay] = []
    for d in rows:
        waited = sum(b.wait_seconds_sum for b in d.bands.values())
        n = sum(b.served for b in d.bands.values())
        out_days.append(StatsDay(
            day=d.day, tickets=d.tickets, served=d.served, no_show=d.no_show,
            mean_wait_minutes=round(waited / n / 60, 1) if n else None,
            bands={b: round(s.wait_seconds_sum / s.served / 60, 1) if s.served else None for b, s in d.bands.items()},
        ))
        for sid, s in d.services.items():
            total = totals.setdefault(sid, ServiceStats())
            total.served += s.served
            total.wait_seconds_sum += s.wait_seconds_sum
            total.service_seconds_sum += s.service_seconds_sum
    services = []
    for svc in counter.services:
        total = totals.get(svc.id, ServiceStats())
        services.append(StatsService(
            service=svc.id, name=pick(svc.name, lang), served=total.served,
            mean_wait_minutes=round(total.wait_seconds_sum / total.served / 60, 1) if total.served else None,
            mean_service_minutes=round(total.service_seconds_sum / total.served / 60, 1) if total.served else None,
        ))
    return CounterStats(counter=counter.id, days=out_days, services=services)

"""The counter's status: the cached live status rebuilt after each change (with the day's aggregate and the
live congestion entry, and the notices now due), and the public reads of it — a ticket's place, a counter's
status, live congestion — plus the staff's statistics."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from madoguchi.queue.models import (
    COUNTERS,
    BandStats,
    CalledView,
    CongestionNow,
    CounterInfo,
    CounterList,
    CounterStats,
    CounterStatus,
    DayStats,
    LiveCounter,
    Notice,
    ServiceInfo,
    ServiceStats,
    StatsDay,
    StatsService,
    StatusEntry,
    StatusView,
    Ticket,
    TicketView,
    WaitingView,
    band_of,
    parse_ticket_id,
    service_day,
)
from madoguchi.queue.service.common import (
    QueueDeps,
    entry_view,
    estimate_minutes,
    known_counter,
    level,
    live_order,
    staff_of,
    ticket_view,
)
from madoguchi.queue.store import QueueStore
from madoguchi.shared.auth import Caller
from madoguchi.shared.errors import NotFound
from madoguchi.shared.i18n import Lang, pick


def position(status: CounterStatus, ticket: Ticket) -> tuple[int | None, int | None]:
    """(tickets ahead, estimated minutes) of a waiting ticket in the counter's status."""
    if ticket.state != "waiting":
        return None, None
    counter = COUNTERS[ticket.counter]
    waiting = [e for e in status.entries if e.state == "waiting"]
    ahead = next((i for i, e in enumerate(waiting) if e.number == ticket.number), len(waiting))
    return ahead, estimate_minutes(counter, ahead, status)


# --- reads (one small read each) -------------------------------------------------------------------------
def view_ticket(tid: str, deps: QueueDeps, now: datetime, *, lang: Lang) -> TicketView:
    parsed = parse_ticket_id(tid)
    if parsed is None:
        raise NotFound(ticket=tid)
    counter_id, day, number, key = parsed
    counter = COUNTERS[counter_id]
    status = deps.store.status(counter_id)
    if status is not None and status.day == day:
        entry = next((e for e in status.entries if e.number == number), None)
        if entry is not None:
            if entry.key != key:
                raise NotFound(ticket=tid)
            waiting = [e for e in status.entries if e.state == "waiting"]
            ahead = next((i for i, e in enumerate(waiting) if e.number == number), None)
            wait = estimate_minutes(counter, ahead, status) if ahead is not None else None
            return entry_view(tid, counter, entry, lang, ahead, wait)
    # Not live any more (served, transferred, past its grace) or another day: the ticket itself, once.
    ticket = deps.store.get(counter_id, day, number)
    if ticket is None or ticket.key != key:
        raise NotFound(ticket=tid)
    return ticket_view(ticket, lang, None, None)


def counter_status(counter_id: str, deps: QueueDeps, now: datetime, *, lang: Lang) -> StatusView:
    counter = known_counter(counter_id)
    status = deps.store.status(counter_id)
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


def counters(*, lang: Lang) -> CounterList:
    return CounterList(counters=[
        CounterInfo(id=c.id, department=c.department, name=pick(c.name, lang), desks=c.desks,
                    services=[ServiceInfo(id=s.id, name=pick(s.name, lang), minutes=s.minutes) for s in c.services])
        for c in COUNTERS.values()
    ])


def congestion_now(deps: QueueDeps, now: datetime, *, lang: Lang) -> CongestionNow:
    summaries = deps.store.summaries()
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


# --- the cached status ---------------------------------------------------------------------------------------
def refresh(counter_id: str, day: date, store: QueueStore, now: datetime) -> tuple[CounterStatus, list[Notice]]:
    """Rebuild the counter's status from its day (one consistent Query) and store it unless a newer one is
    there; also the day's aggregate and the live congestion entry. Returns the notices now due."""
    counter = COUNTERS[counter_id]
    rev, tickets = store.day(counter_id, day)
    live = [t for t in live_order(tickets) if not (t.state == "absent" and t.absent_until and now > t.absent_until)]
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


def counter_stats(counter_id: str, caller: Caller | None, deps: QueueDeps, now: datetime, *, days: int,
                  lang: Lang) -> CounterStats:
    counter = known_counter(counter_id)
    staff_of(counter, caller)
    until = service_day(now)
    rows = deps.store.day_stats(counter.id, until - timedelta(days=days - 1), until)
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

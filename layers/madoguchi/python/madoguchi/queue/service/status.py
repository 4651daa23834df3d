"""The counter's status: the cached live status advanced with each change (with the day's aggregate and the
live congestion entry, and the notices the change owes), and the public reads of it — a ticket's place, a counter's
status, live congestion — plus the staff's statistics."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta

from madoguchi.effects.models import Effect
from madoguchi.queue.models import (
    COUNTERS,
    LIVE,
    NOTICE_EFFECT,
    BandStats,
    CalledView,
    CongestionNow,
    CounterInfo,
    CounterList,
    CounterStats,
    CounterStatus,
    DayStats,
    LiveCounter,
    NoticeKind,
    OwedNotice,
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
    ticket_id,
)
from madoguchi.queue.service.common import (
    QueueDeps,
    entry_view,
    estimate_minutes,
    known_counter,
    level,
    staff_of,
    ticket_view,
)
from madoguchi.queue.store import QueueStore
from madoguchi.shared.auth import Caller
from madoguchi.shared.errors import NotFound
from madoguchi.shared.i18n import Lang, pick


def expired(e: StatusEntry, now: datetime) -> bool:
    """An absent ticket past its grace period: no longer shown in line (it cannot come back)."""
    return e.state == "absent" and e.absent_until is not None and now > e.absent_until


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
    status = deps.store.status(counter_id, day)
    if status is not None:
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
    today = service_day(now)
    status = deps.store.status(counter_id, today) or CounterStatus.empty(counter_id, today)
    waiting = [e for e in status.entries if e.state == "waiting"]
    return StatusView(
        counter=counter.id,
        counter_name=pick(counter.name, lang),
        department=counter.department,
        day=status.day,
        updated_at=status.updated_at,
        waiting=len(waiting),
        estimated_wait_minutes=estimate_minutes(counter, len(waiting), status),
        last_issued=status.last_issued,
        calling=[
            CalledView(number=e.number, desk=e.desk, called_at=e.called_at, recalls=e.recalls) for e in status.called()
        ],
        queue=[
            WaitingView(number=e.number, service=e.service, state=e.state, absent_until=e.absent_until)
            for e in status.entries
            if e.state == "waiting" or (e.state == "absent" and not expired(e, now))
        ],
        served=status.served,
    )


def counters(*, lang: Lang) -> CounterList:
    return CounterList(
        counters=[
            CounterInfo(
                id=c.id,
                department=c.department,
                name=pick(c.name, lang),
                desks=c.desks,
                services=[ServiceInfo(id=s.id, name=pick(s.name, lang), minutes=s.minutes) for s in c.services],
            )
            for c in COUNTERS.values()
        ]
    )


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
        rows.append(
            LiveCounter(
                counter=c.id,
                name=pick(c.name, lang),
                waiting=waiting,
                estimated_wait_minutes=minutes,
                calling=calling,
                desks=desks,
                level=level(c, minutes),
            )
        )
    return CongestionNow(updated_at=max(updated) if updated else None, counters=rows)


# --- the live status, advanced with each change ----------------------------------------------------------------
def _entry(t: Ticket, before: Ticket | None, old: StatusEntry | None) -> StatusEntry:
    # The status holds which notices were claimed. A new or changed opt-in re-arms both; each call (call next,
    # recall, a call after coming back: a new `called_at`) re-arms "called"; otherwise a claim stays.
    opted = before is None or old is None or before.notify != t.notify
    new_call = t.state == "called" and (before is None or before.called_at != t.called_at)
    return StatusEntry(
        number=t.number,
        key=t.key,
        service=t.service,
        priority=t.priority,
        state=t.state,
        arrived_at=t.arrived_at,
        called_at=t.called_at,
        desk=t.desk,
        recalls=t.recalls,
        absent_until=t.absent_until,
        transferred_from=bool(t.transferred_from),
        notify_line=bool(t.notify and t.notify.line_user_id),
        notify_webpush=bool(t.notify and t.notify.webpush),
        notify_ahead=t.notify.ahead if t.notify else None,
        notified_ahead=not opted and old is not None and old.notified_ahead,
        notified_called=not opted and not new_call and old is not None and old.notified_called,
    )


def _call_order(e: StatusEntry) -> tuple[int, datetime, int]:
    """Priority tickets (booked appointment, needs help) first, then by first arrival (as Ticket.order)."""
    return (0 if e.priority else 1, e.arrived_at, e.number)


def _count(stats: DayStats, t: Ticket, sign: int) -> None:
    """Add (sign 1) or take back (sign -1) one ticket's share of the day's aggregate."""
    band = stats.bands.setdefault(band_of(t.arrived_at if not t.transferred_from else t.issued_at), BandStats())
    if not t.transferred_from:
        stats.tickets += sign
        band.tickets += sign
    if t.wait_seconds is not None:
        band.served += sign
        band.wait_seconds_sum += sign * t.wait_seconds
    if t.state == "cancelled" or (t.state == "absent" and t.absent_until is not None):
        stats.no_show += sign
    if t.state == "done" and t.service_seconds is not None:
        stats.served += sign
        s = stats.services.setdefault(t.service, ServiceStats())
        s.served += sign
        s.wait_seconds_sum += sign * (t.wait_seconds or 0)
        s.service_seconds_sum += sign * t.service_seconds


def day_stats(counter_id: str, day: date, tickets: list[Ticket]) -> DayStats:
    """The day's aggregate from all its tickets (what the status keeps up to date one change at a time)."""
    stats = DayStats(counter=counter_id, day=day)
    for t in tickets:
        _count(stats, t, 1)
    return stats


def owed_notice(status: CounterStatus, e: StatusEntry, kind: NoticeKind, ahead: int, now: datetime) -> Effect:
    """The notice a claim owes. Its id names the ticket, the notice and the head revision whose write claims it:
    one effect per claim, so a notice re-armed later (a recall, a new opt-in) is a new effect, never an overwrite
    of one already delivered."""
    tid = ticket_id(status.counter, status.day, e.number, e.key)
    return Effect(
        id=f"queue:{tid}:{kind}:{status.rev + 1}",
        kind=NOTICE_EFFECT,
        payload=OwedNotice(ticket=tid, notice=kind, recalls=e.recalls, ahead=ahead).model_dump(),
        created_at=now,
    )


class Advance:
    """The status rule the store applies inside each write: the changed ticket's entry in call order, the day's
    aggregate by difference, and the notices the change made due, claimed in the status and owed to the outbox
    in the same write (delivered once, by madoguchi.queue.effects). Costs nothing that grows with the day: no
    read of other tickets."""

    def __init__(self, now: datetime) -> None:
        self.now = now
        self.due: dict[str, list[Effect]] = {}

    def owed(self, counter: str) -> Sequence[Effect]:
        return self.due.get(counter, [])

    def __call__(self, status: CounterStatus, before: Ticket | None, after: Ticket) -> CounterStatus:
        old = next((e for e in status.entries if e.number == after.number), None)
        entries = [e.model_copy() for e in status.entries if e.number != after.number]
        if after.state in LIVE:
            entries.append(_entry(after, before, old))
        entries.sort(key=_call_order)
        stats = (status.stats or DayStats(counter=status.counter, day=status.day)).model_copy(deep=True)
        if before is not None:
            _count(stats, before, -1)
        _count(stats, after, 1)
        due: list[Effect] = []
        waiting = [e for e in entries if e.state == "waiting"]
        for i, e in enumerate(waiting):
            if e.notify_ahead is not None and not e.notified_ahead and i <= e.notify_ahead:
                e.notified_ahead = True
                due.append(owed_notice(status, e, "ahead", i, self.now))
        for e in entries:
            if e.state == "called" and (e.notify_line or e.notify_webpush) and not e.notified_called:
                e.notified_called = True
                due.append(owed_notice(status, e, "called", 0, self.now))
        self.due[status.counter] = due
        waited = sum(b.served for b in stats.bands.values())
        return status.model_copy(
            update={
                "updated_at": self.now,
                "last_issued": max(status.last_issued, after.number),
                "entries": entries,
                "served": stats.served,
                "stats": stats,
                "mean_service_seconds": sum(s.service_seconds_sum for s in stats.services.values()) / stats.served
                if stats.served
                else None,
                "mean_wait_seconds": sum(b.wait_seconds_sum for b in stats.bands.values()) / waited if waited else None,
            }
        )


def publish(written: CounterStatus, store: QueueStore) -> None:
    """After a write: the counter's entry of live congestion and the day's aggregate for the calendar (writes
    only, newest revision wins). The notices the write made due are owed in the outbox already."""
    counter = COUNTERS[written.counter]
    waiting = [e for e in written.entries if e.state == "waiting"]
    called = written.called()
    store.put_summary(
        counter.id,
        written.rev,
        {
            "day": written.day.isoformat(),
            "waiting": len(waiting),
            "minutes": estimate_minutes(counter, len(waiting), written),
            "calling": [e.number for e in called][:5],
            "desks": [e.desk for e in called][:5],
            "updated_at": written.updated_at.isoformat(),
        },
    )
    if written.stats is not None:
        store.put_day_stats(written.stats, written.rev)


def counter_stats(
    counter_id: str, caller: Caller | None, deps: QueueDeps, now: datetime, *, days: int, lang: Lang
) -> CounterStats:
    counter = known_counter(counter_id)
    staff_of(counter, caller)
    until = service_day(now)
    rows = deps.store.day_stats(counter.id, until - timedelta(days=days - 1), until)
    totals: dict[str, ServiceStats] = {}
    out_days: list[StatsDay] = []
    for d in rows:
        waited = sum(b.wait_seconds_sum for b in d.bands.values())
        n = sum(b.served for b in d.bands.values())
        out_days.append(
            StatsDay(
                day=d.day,
                tickets=d.tickets,
                served=d.served,
                no_show=d.no_show,
                mean_wait_minutes=round(waited / n / 60, 1) if n else None,
                bands={
                    b: round(s.wait_seconds_sum / s.served / 60, 1) if s.served else None for b, s in d.bands.items()
                },
            )
        )
        for sid, s in d.services.items():
            total = totals.setdefault(sid, ServiceStats())
            total.served += s.served
            total.wait_seconds_sum += s.wait_seconds_sum
            total.service_seconds_sum += s.service_seconds_sum
    services = []
    for svc in counter.services:
        total = totals.get(svc.id, ServiceStats())
        services.append(
            StatsService(
                service=svc.id,
                name=pick(svc.name, lang),
                served=total.served,
                mean_wait_minutes=round(total.wait_seconds_sum / total.served / 60, 1) if total.served else None,
                mean_service_minutes=round(total.service_seconds_sum / total.served / 60, 1) if total.served else None,
            )
        )
    return CounterStats(counter=counter.id, days=out_days, services=services)

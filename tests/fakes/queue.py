"""In-memory queue store and Web Push sender for unit tests: the same contract as the DynamoDB adapter."""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

from madoguchi.queue.models import LIVE, CounterStatus, DayStats, Ticket, TicketState
from madoguchi.queue.store import QueueStore, WebPushSender
from madoguchi.shared.errors import Conflict


class MemoryQueueStore(QueueStore):
    def __init__(self) -> None:
        self._lock = threading.RLock()
        self.seq: dict[tuple[str, date], int] = {}
        self.revs: dict[tuple[str, date], int] = {}
        self.tickets: dict[tuple[str, date, int], Ticket] = {}
        self.statuses: dict[str, CounterStatus] = {}
        self.live: dict[str, tuple[int, dict[str, Any]]] = {}
        self.stats: dict[tuple[str, date], DayStats] = {}
        self.forecasts: dict[str, dict[str, Any]] = {}
        self.reads = 0

    def issue(self, counter: str, day: date, build: Callable[[int], Ticket]) -> Ticket:
        with self._lock:
            number = self.seq.get((counter, day), 0) + 1
            ticket = build(number)
            self.seq[(counter, day)] = number
            self._bump(counter, day)
            self.tickets[(counter, day, number)] = ticket
            return ticket

    def _bump(self, counter: str, day: date) -> None:
        self.revs[(counter, day)] = self.revs.get((counter, day), 0) + 1

    def get(self, counter: str, day: date, number: int) -> Ticket | None:
        self.reads += 1
        return self.tickets.get((counter, day, number))

    def day(self, counter: str, day: date) -> tuple[int, list[Ticket]]:
        with self._lock:
            tickets = [t for (c, d, _), t in sorted(self.tickets.items(), key=lambda kv: kv[0][2])
                       if c == counter and d == day]
            return self.revs.get((counter, day), 0), tickets

    def change(self, ticket: Ticket, expected: tuple[TicketState, ...], changes: Mapping[str, Any]) -> Ticket:
        with self._lock:
            key = (ticket.counter, ticket.day, ticket.number)
            current = self.tickets[key]
            if current.state not in expected:
                raise Conflict(ticket=ticket.id)
            updated = current.model_copy(update=dict(changes))
            self.tickets[key] = updated
            self._bump(ticket.counter, ticket.day)
            return updated

    def transfer(self, ticket: Ticket, expected: tuple[TicketState, ...], changes: Mapping[str, Any],
                 to_counter: str, build: Callable[[int], Ticket]) -> Ticket:
        with self._lock:
            new = build(self.seq.get((to_counter, ticket.day), 0) + 1)
            self.change(ticket, expected, {**changes, "transferred_to": new.id})
            return self.issue(to_counter, new.day, lambda _: new)

    def set_notify(self, ticket: Ticket, notify: Mapping[str, Any]) -> Ticket:
        return self.change(ticket, LIVE, {"notify": _notify(notify)})

    def mark_notified(self, ticket: Ticket, kind: str) -> bool:
        with self._lock:
            key = (ticket.counter, ticket.day, ticket.number)
            current = self.tickets[key]
            flag = f"notified_{kind}"
            if current.notify is None or getattr(current.notify, flag):
                return False
            self.tickets[key] = current.model_copy(update={"notify": current.notify.model_copy(update={flag: True})})
            return True

    def put_status(self, status: CounterStatus) -> bool:
        with self._lock:
            old = self.statuses.get(status.counter)
            if old is not None and (old.day, old.rev) > (status.day, status.rev):
                return False
            self.statuses[status.counter] = status
            return True

    def status(self, counter: str) -> CounterStatus | None:
        self.reads += 1
        return self.statuses.get(counter)

    def put_summary(self, counter: str, rev: int, summary: Mapping[str, Any]) -> None:
        with self._lock:
            old = self.live.get(counter)
            if old is not None and (str(old[1].get("day")), old[0]) > (str(summary.get("day")), rev):
                return  # a newer entry is there (as the adapter's condition on day#rev)
            self.live[counter] = (rev, dict(summary))

    def summaries(self) -> dict[str, dict[str, Any]]:
        self.reads += 1
        return {c: s for c, (_, s) in self.live.items()}

    def put_day_stats(self, stats: DayStats) -> None:
        self.stats[(stats.counter, stats.day)] = stats

    def day_stats(self, counter: str, since: date, until: date) -> list[DayStats]:
        return [s for (c, d), s in sorted(self.stats.items(), key=lambda kv: kv[0][1])
                if c == counter and since <= d <= until]

    def put_forecast(self, month: str, payload: Mapping[str, Any]) -> None:
        self.forecasts[month] = dict(payload)

    def forecast(self, month: str) -> dict[str, Any] | None:
        self.reads += 1
        return self.forecasts.get(month)


def _notify(data: Mapping[str, Any]) -> Any:
    from madoguchi.queue.models import Notify

    return Notify.model_validate(data)


class MemoryWebPush(WebPushSender):
    def __init__(self) -> None:
        self.sent: list[tuple[dict[str, Any], str]] = []

    def send(self, subscription: Mapping[str, Any], text: str) -> None:
        self.sent.append((dict(subscription), text))

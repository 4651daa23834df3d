"""In-memory queue store and Web Push sender for unit tests: the same contract as the DynamoDB adapter
(tests/integration/ports/test_queue_store.py runs both)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

from madoguchi.queue.models import LIVE, CounterStatus, DayStats, Notify, Ticket, TicketState
from madoguchi.queue.store import Advance, QueueStore, SubscriptionUnusable, WebPushSender, Written
from madoguchi.shared.errors import Conflict
from madoguchi.shared.outbox import Outboxed


class MemoryQueueStore(QueueStore):
    def __init__(self) -> None:
        self._lock = threading.RLock()
        self.seq: dict[tuple[str, date], int] = {}
        self.revs: dict[tuple[str, date], int] = {}
        self.tickets: dict[tuple[str, date, int], Ticket] = {}
        self.statuses: dict[tuple[str, date], CounterStatus] = {}
        self.keys: dict[str, tuple[str, date, int]] = {}
        self.live: dict[str, tuple[int, dict[str, Any]]] = {}
        self.stats: dict[tuple[str, date], tuple[int, DayStats]] = {}
        self.forecasts: dict[str, dict[str, Any]] = {}
        self.events: list[Outboxed] = []  # the notices owed, as the adapter puts them in the change's transaction
        self.reads = 0

    def _status(self, counter: str, day: date) -> CounterStatus:
        return self.statuses.get((counter, day)) or CounterStatus.empty(counter, day)

    def _advance(self, advance: Advance, before: Ticket | None, after: Ticket) -> CounterStatus:
        key = (after.counter, after.day)
        rev = self.revs.get(key, 0) + 1
        status = advance(self._status(*key), before, after).model_copy(update={"rev": rev})
        self.revs[key] = rev
        self.statuses[key] = status
        self.events.extend(advance.owed(after.counter))
        return status

    def issue(
        self,
        counter: str,
        day: date,
        build: Callable[[int], Ticket],
        advance: Advance,
        *,
        idempotency: str | None = None,
    ) -> Written:
        with self._lock:
            if idempotency and idempotency in self.keys:
                c, d, n = self.keys[idempotency]
                return Written(ticket=self.tickets[(c, d, n)], status=self._status(c, d), replayed=True)
            number = self.seq.get((counter, day), 0) + 1
            ticket = build(number)
            status = self._advance(advance, None, ticket)
            self.seq[(counter, day)] = number
            self.tickets[(counter, day, number)] = ticket
            if idempotency:
                self.keys[idempotency] = (counter, day, number)
            return Written(ticket=ticket, status=status)

    def get(self, counter: str, day: date, number: int) -> Ticket | None:
        self.reads += 1
        return self.tickets.get((counter, day, number))

    def day(self, counter: str, day: date) -> tuple[int, list[Ticket]]:
        with self._lock:
            tickets = [
                t for (c, d, _), t in sorted(self.tickets.items(), key=lambda kv: kv[0][2]) if c == counter and d == day
            ]
            return self.revs.get((counter, day), 0), tickets

    def status(self, counter: str, day: date) -> CounterStatus | None:
        self.reads += 1
        return self.statuses.get((counter, day))

    def _checked(self, ticket: Ticket, expected: tuple[TicketState, ...]) -> Ticket:
        current = self.tickets.get((ticket.counter, ticket.day, ticket.number))
        if current is None or current.state not in expected:
            raise Conflict(ticket=ticket.id)
        return current

    def change(
        self,
        ticket: Ticket,
        expected: tuple[TicketState, ...],
        changes: Mapping[str, Any],
        advance: Advance,
        *,
        idempotency: str | None = None,
    ) -> Written:
        with self._lock:
            if idempotency and idempotency in self.keys:
                raise Conflict(ticket=ticket.id)  # as the adapter's condition on the key item
            current = self._checked(ticket, expected)
            updated = current.model_copy(update=dict(changes))
            status = self._advance(advance, ticket, updated)
            self.tickets[(ticket.counter, ticket.day, ticket.number)] = updated
            if idempotency:
                self.keys[idempotency] = (ticket.counter, ticket.day, ticket.number)
            return Written(ticket=updated, status=status)

    def transfer(
        self,
        ticket: Ticket,
        expected: tuple[TicketState, ...],
        changes: Mapping[str, Any],
        to_counter: str,
        build: Callable[[int], Ticket],
        advance: Advance,
        *,
        idempotency: str | None = None,
    ) -> Written:
        with self._lock:
            if idempotency and idempotency in self.keys:
                raise Conflict(ticket=ticket.id)  # as the adapter's condition on the key item
            current = self._checked(ticket, expected)
            day = build(1).day
            new = build(self.seq.get((to_counter, day), 0) + 1)
            closed = current.model_copy(update={**changes, "transferred_to": new.id})
            status = self._advance(advance, ticket, closed)
            self.tickets[(ticket.counter, ticket.day, ticket.number)] = closed
            target = self._advance(advance, None, new)
            self.seq[(to_counter, day)] = new.number
            self.tickets[(to_counter, day, new.number)] = new
            if idempotency:
                self.keys[idempotency] = (to_counter, day, new.number)
            return Written(ticket=new, status=status, target=target)

    def by_idempotency(self, key: str) -> Ticket | None:
        with self._lock:
            found = self.keys.get(key)
            return self.tickets[found] if found else None

    def set_notify(self, ticket: Ticket, notify: Mapping[str, Any], advance: Advance) -> Written:
        return self.change(ticket, LIVE, {"notify": Notify.model_validate(notify)}, advance)

    def put_summary(self, counter: str, rev: int, summary: Mapping[str, Any]) -> None:
        with self._lock:
            old = self.live.get(counter)
            if old is not None and (str(old[1].get("day")), old[0]) > (str(summary.get("day")), rev):
                return  # a newer entry is there (as the adapter's condition on day#rev)
            self.live[counter] = (rev, dict(summary))

    def summaries(self) -> dict[str, dict[str, Any]]:
        self.reads += 1
        return {c: s for c, (_, s) in self.live.items()}

    def put_day_stats(self, stats: DayStats, rev: int | None = None) -> None:
        with self._lock:
            old = self.stats.get((stats.counter, stats.day))
            if rev is not None and old is not None and old[0] > rev:
                return
            self.stats[(stats.counter, stats.day)] = (rev or 0, stats)

    def day_stats(self, counter: str, since: date, until: date) -> list[DayStats]:
        return [
            s
            for (c, d), (_, s) in sorted(self.stats.items(), key=lambda kv: kv[0][1])
            if c == counter and since <= d <= until
        ]

    def put_forecast(self, month: str, payload: Mapping[str, Any]) -> None:
        self.forecasts[month] = dict(payload)

    def forecast(self, month: str) -> dict[str, Any] | None:
        self.reads += 1
        return self.forecasts.get(month)


class MemoryWebPush(WebPushSender):
    """Records pushes; `failing` makes the next sends raise (a push service down), `gone` answers 410."""

    def __init__(self) -> None:
        self.sent: list[tuple[dict[str, Any], str]] = []
        self.topics: list[str | None] = []
        self.failing = 0
        self.gone = False

    def send(self, subscription: Mapping[str, Any], text: str, topic: str | None = None) -> None:
        if self.gone:
            raise SubscriptionUnusable()
        if self.failing:
            self.failing -= 1
            raise ConnectionError("push service down")
        self.sent.append((dict(subscription), text))
        self.topics.append(topic)

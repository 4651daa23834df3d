"""Ports of the queue: ticket storage with its atomic numbering and cached status, and Web Push delivery."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

from madoguchi.queue.models import CounterStatus, DayStats, Ticket, TicketState


class QueueStore(ABC):
    @abstractmethod
    def issue(self, counter: str, day: date, build: Callable[[int], Ticket]) -> Ticket:
        """Take the counter's next number for the day and store the ticket `build(number)` in one atomic step:
        a number taken is never lost and never given twice."""

    @abstractmethod
    def get(self, counter: str, day: date, number: int) -> Ticket | None: ...

    @abstractmethod
    def day(self, counter: str, day: date) -> tuple[int, list[Ticket]]:
        """(revision, every ticket of the counter's day), read consistently."""

    @abstractmethod
    def change(self, ticket: Ticket, expected: tuple[TicketState, ...], changes: Mapping[str, Any]) -> Ticket:
        """Apply `changes` if the ticket is still in one of the `expected` states (else Conflict); bumps the
        counter day's revision in the same transaction."""

    @abstractmethod
    def transfer(self, ticket: Ticket, expected: tuple[TicketState, ...], changes: Mapping[str, Any],
                 to_counter: str, build: Callable[[int], Ticket]) -> Ticket:
        """Close `ticket` with `changes` (and `transferred_to`: the new id) and issue `build(number)` at
        `to_counter`, all in one transaction."""

    @abstractmethod
    def set_notify(self, ticket: Ticket, notify: Mapping[str, Any]) -> Ticket:
        """Store the resident's opt-in on a live ticket (Conflict once it is finished)."""

    @abstractmethod
    def mark_notified(self, ticket: Ticket, kind: str) -> bool:
        """Record that the `kind` notice ("ahead" or "called") was sent; False if it already was (send once)."""

    @abstractmethod
    def put_status(self, status: CounterStatus) -> bool:
        """Replace the counter's cached status unless a newer revision is stored; True if written."""

    @abstractmethod
    def status(self, counter: str) -> CounterStatus | None: ...

    @abstractmethod
    def put_summary(self, counter: str, rev: int, summary: Mapping[str, Any]) -> None:
        """One counter's entry of the city-wide live congestion object (kept unless a newer revision is there)."""

    @abstractmethod
    def summaries(self) -> dict[str, dict[str, Any]]:
        """Every counter's live congestion entry, in one read."""

    @abstractmethod
    def put_day_stats(self, stats: DayStats) -> None: ...

    @abstractmethod
    def day_stats(self, counter: str, since: date, until: date) -> list[DayStats]:
        """Stored daily aggregates of a counter, oldest first (inclusive range)."""

    @abstractmethod
    def put_forecast(self, month: str, payload: Mapping[str, Any]) -> None: ...

    @abstractmethod
    def forecast(self, month: str) -> dict[str, Any] | None: ...


class WebPushSender(ABC):
    @abstractmethod
    def send(self, subscription: Mapping[str, Any], text: str) -> None:
        """Deliver an encrypted push message to the browser's push service (VAPID-signed)."""

"""Ports of the queue: ticket storage with its atomic numbering and the counter day's live status, and Web Push
delivery."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol

from madoguchi.queue.models import CounterStatus, DayStats, Ticket, TicketState
from madoguchi.shared.outbox import Outboxed


class Advance(Protocol):
    """The status rule a store applies inside each write (madoguchi.queue.service.status.Advance)."""

    def __call__(self, status: CounterStatus, before: Ticket | None, after: Ticket) -> CounterStatus:
        """(the counter day's status as stored, the ticket before the change or None when new, the ticket
        after) -> the status to store with the change. Called inside the store's write, again on each retry."""

    def owed(self, counter: str) -> Sequence[Outboxed]:
        """The effects (notices) that the last status made for `counter` claims: the store writes them in the
        same transaction as that status, or refuses the write when it has no outbox."""


@dataclass(frozen=True)
class Written:
    """A ticket as written and the counter day's status written with it (for a transfer, `target` is the other
    counter's); `replayed` when an idempotency key had already issued it (nothing was written)."""

    ticket: Ticket
    status: CounterStatus
    target: CounterStatus | None = None
    replayed: bool = False


class QueueStore(ABC):
    @abstractmethod
    def issue(
        self,
        counter: str,
        day: date,
        build: Callable[[int], Ticket],
        advance: Advance,
        *,
        idempotency: str | None = None,
    ) -> Written:
        """Take the counter's next number for the day, store the ticket `build(number)` and the status
        `advance(...)` in one atomic step: a number taken is never lost and never given twice. A key
        (`<caller>#<Idempotency-Key>`) seen before returns the ticket it issued and takes no number."""

    @abstractmethod
    def get(self, counter: str, day: date, number: int) -> Ticket | None: ...

    @abstractmethod
    def day(self, counter: str, day: date) -> tuple[int, list[Ticket]]:
        """(revision, every ticket of the counter's day in number order), read consistently (staff lists)."""

    @abstractmethod
    def status(self, counter: str, day: date) -> CounterStatus | None:
        """The counter day's live status: one item."""

    @abstractmethod
    def change(
        self,
        ticket: Ticket,
        expected: tuple[TicketState, ...],
        changes: Mapping[str, Any],
        advance: Advance,
        *,
        idempotency: str | None = None,
    ) -> Written:
        """Apply `changes` if the ticket is still in one of the `expected` states (else Conflict, and nothing
        changes), with the status `advance(...)` and the key, if given, in the same transaction (a key seen
        before is a Conflict)."""

    @abstractmethod
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
        """Close `ticket` with `changes` (and `transferred_to`: the new id) and issue `build(number)` at
        `to_counter`, with both counters' statuses (and the key, if given), all in one transaction."""

    @abstractmethod
    def by_idempotency(self, key: str) -> Ticket | None:
        """The ticket an idempotency key issued or changed (by `issue`, `transfer` or `change`), if any."""

    @abstractmethod
    def set_notify(self, ticket: Ticket, notify: Mapping[str, Any], advance: Advance) -> Written:
        """Store the resident's opt-in on a live ticket (Conflict once it is finished)."""

    @abstractmethod
    def put_summary(self, counter: str, rev: int, summary: Mapping[str, Any]) -> None:
        """One counter's entry of the city-wide live congestion object (kept unless a newer revision is there)."""

    @abstractmethod
    def summaries(self) -> dict[str, dict[str, Any]]:
        """Every counter's live congestion entry, in one read."""

    @abstractmethod
    def put_day_stats(self, stats: DayStats, rev: int | None = None) -> None:
        """Store a day's aggregate; with `rev`, unless one of a newer revision of that day is there."""

    @abstractmethod
    def day_stats(self, counter: str, since: date, until: date) -> list[DayStats]:
        """Stored daily aggregates of a counter, oldest first (inclusive range)."""

    @abstractmethod
    def put_forecast(self, month: str, payload: Mapping[str, Any]) -> None: ...

    @abstractmethod
    def forecast(self, month: str) -> dict[str, Any] | None: ...


class SubscriptionUnusable(Exception):
    """Nothing can ever be delivered to this subscription: the push service no longer knows it (404, 410), or its
    keys are not a browser's (the opt-in route takes them as given)."""


class WebPushSender(ABC):
    @abstractmethod
    def send(self, subscription: Mapping[str, Any], text: str, topic: str | None = None) -> None:
        """Deliver an encrypted push message to the browser's push service (VAPID-signed). A `topic` replaces a
        message of the same topic the push service still holds (a retried notice is not shown twice).
        Raises SubscriptionUnusable when it never can be delivered; any other failure is worth a retry."""

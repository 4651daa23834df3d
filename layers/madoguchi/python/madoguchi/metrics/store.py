"""The metrics port: counters added once per event, read per month (bounded by procedures × channels)."""

from __future__ import annotations

from abc import ABC, abstractmethod

from madoguchi.metrics.models import CounterLoad, Counters, DomainEvent


class MetricsStore(ABC):
    @abstractmethod
    def add(self, event: DomainEvent, delta: Counters, load: CounterLoad | None = None) -> bool:
        """Add `delta` (and a queue event's `load` on its counter) to the event's day and month exactly once per
        event id, atomically. Returns False when the event was already counted (a redelivery)."""

    @abstractmethod
    def put_month(self, month: str, counters: list[Counters]) -> None:
        """Replace a month's counters with figures counted elsewhere (imports from the city's earlier systems,
        demo history); events keep adding to them afterwards."""

    @abstractmethod
    def month(self, month: str) -> list[Counters]:
        """Every procedure × channel counted in `month` (YYYY-MM, Tokyo time)."""

    @abstractmethod
    def month_with_counters(self, month: str) -> tuple[list[Counters], list[CounterLoad]]:
        """The month's procedure × channel counters and its queue counters' loads, read together."""

    @abstractmethod
    def day(self, day: str) -> list[Counters]:
        """Every procedure × channel counted on `day` (YYYY-MM-DD, Tokyo time)."""

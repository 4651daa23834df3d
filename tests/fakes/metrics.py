"""In-memory MetricsStore: the same once-per-event rule as the DynamoDB adapter."""

from __future__ import annotations

from madoguchi.metrics.models import Counters, DomainEvent
from madoguchi.metrics.store import MetricsStore


class MemoryMetricsStore(MetricsStore):
    def __init__(self) -> None:
        self.seen: set[str] = set()
        self.periods: dict[str, dict[tuple[str, str], Counters]] = {}

    def add(self, event: DomainEvent, delta: Counters) -> bool:
        if event.id in self.seen:
            return False
        self.seen.add(event.id)
        for period in (f"MONTH#{event.local_month()}", f"DAY#{event.local_day()}"):
            counters = self.periods.setdefault(period, {})
            key = (delta.procedure_id, delta.channel)
            counters.setdefault(key, Counters(procedure_id=delta.procedure_id, channel=delta.channel)).add(delta)
        return True

    def put_month(self, month: str, counters: list[Counters]) -> None:
        self.periods[f"MONTH#{month}"] = {(c.procedure_id, c.channel): c.model_copy(deep=True) for c in counters}

    def month(self, month: str) -> list[Counters]:
        return [c.model_copy(deep=True) for c in self.periods.get(f"MONTH#{month}", {}).values()]

    def day(self, day: str) -> list[Counters]:
        return [c.model_copy(deep=True) for c in self.periods.get(f"DAY#{day}", {}).values()]

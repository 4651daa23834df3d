"""In-memory MetricsStore: the same once-per-event rule as the DynamoDB adapter."""

from __future__ import annotations

from madoguchi.metrics.models import CounterLoad, Counters, DomainEvent
from madoguchi.metrics.store import MetricsStore


class MemoryMetricsStore(MetricsStore):
    def __init__(self) -> None:
        self.seen: set[str] = set()
        self.periods: dict[str, dict[tuple[str, str], Counters]] = {}
        self.loads: dict[str, dict[str, CounterLoad]] = {}

    def add(self, event: DomainEvent, delta: Counters, load: CounterLoad | None = None) -> bool:
        if event.id in self.seen:
            return False
        self.seen.add(event.id)
        for period in (f"MONTH#{event.local_month()}", f"DAY#{event.local_day()}"):
            counters = self.periods.setdefault(period, {})
            key = (delta.procedure_id, delta.channel)
            counters.setdefault(key, Counters(procedure_id=delta.procedure_id, channel=delta.channel)).add(delta)
            if load is not None:
                loads = self.loads.setdefault(period, {})
                loads.setdefault(load.counter_id, CounterLoad(counter_id=load.counter_id)).add(load)
        return True

    def put_month(self, month: str, counters: list[Counters]) -> None:
        self.periods[f"MONTH#{month}"] = {(c.procedure_id, c.channel): c.model_copy(deep=True) for c in counters}

    def month(self, month: str) -> list[Counters]:
        return [c.model_copy(deep=True) for c in self.periods.get(f"MONTH#{month}", {}).values()]

    def month_with_counters(self, month: str) -> tuple[list[Counters], list[CounterLoad]]:
        loads = self.loads.get(f"MONTH#{month}", {}).values()
        return self.month(month), [c.model_copy(deep=True) for c in loads]

    def day(self, day: str) -> list[Counters]:
        return [c.model_copy(deep=True) for c in self.periods.get(f"DAY#{day}", {}).values()]

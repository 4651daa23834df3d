"""In-memory EffectQueue: the outbox's effect items as the DynamoDB adapter keeps them, and a way for unit tests
to run what a change owed (the worker's own code, madoguchi.effects.service)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from madoguchi.effects import service
from madoguchi.effects.models import Effect
from madoguchi.effects.store import EffectQueue


@dataclass
class _Item:
    effect: Effect
    attempts: int = 0
    due_at: datetime | None = None  # None: done or given up
    done_at: datetime | None = None
    given_up_at: datetime | None = None
    last_error: str | None = None


class MemoryEffectQueue(EffectQueue):
    def __init__(self) -> None:
        self.items: dict[str, _Item] = {}

    def owe(self, effects: Iterable[object]) -> None:
        """What a store's transaction puts (effects among its outbox items); the same id again replaces it."""
        from madoguchi.effects.models import FIRST_REDRIVE

        for e in effects:
            if isinstance(e, Effect):
                self.items[e.id] = _Item(e, due_at=e.created_at + FIRST_REDRIVE)

    def pending(self, effect_id: str) -> int | None:
        item = self.items.get(effect_id)
        return item.attempts if item is not None and item.due_at is not None else None

    def due(self, now: datetime, limit: int) -> list[tuple[Effect, int]]:
        waiting = [i for i in self.items.values() if i.due_at is not None and i.due_at <= now]
        waiting.sort(key=lambda i: (i.due_at, i.effect.id))
        return [(i.effect, i.attempts) for i in waiting[:limit]]

    def done(self, effect_id: str, now: datetime) -> None:
        if (item := self.items.get(effect_id)) is not None:
            item.due_at, item.done_at = None, now

    def retry_at(self, effect_id: str, attempts: int, at: datetime, error: str) -> None:
        if (item := self.items.get(effect_id)) is not None and item.due_at is not None:
            item.attempts, item.due_at, item.last_error = attempts, at, error

    def give_up(self, effect_id: str, attempts: int, now: datetime, error: str) -> None:
        if (item := self.items.get(effect_id)) is not None and item.due_at is not None:
            item.attempts, item.due_at, item.given_up_at, item.last_error = attempts, None, now, error

    def deliver(self, handlers: Mapping[str, service.Handler], now: datetime) -> dict[str, str]:
        """Every pending effect once, as the stream delivers new ones: their outcomes by id."""
        pending = [i.effect for i in self.items.values() if i.due_at is not None]
        return {e.id: service.delivered(e, handlers, self, now) for e in pending}

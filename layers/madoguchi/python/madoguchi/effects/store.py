"""The effects port: the outbox's pending effects, as the worker that carries them out sees them."""

from __future__ import annotations

from abc import ABC, abstractmethod
from datetime import datetime

from madoguchi.effects.models import Effect


class EffectQueue(ABC):
    @abstractmethod
    def pending(self, effect_id: str) -> int | None:
        """How many tries a pending effect has had; None when it is done, given up on, or unknown."""

    @abstractmethod
    def due(self, now: datetime, limit: int) -> list[tuple[Effect, int]]:
        """Pending effects due at `now` or before, the longest due first, each with its tries so far."""

    @abstractmethod
    def done(self, effect_id: str, now: datetime) -> None:
        """Out of the pending effects for good (it then expires like a delivered event)."""

    @abstractmethod
    def retry_at(self, effect_id: str, attempts: int, at: datetime, error: str) -> None:
        """Record a failed try (`attempts` in all, `error` a class name): due again at `at`."""

    @abstractmethod
    def give_up(self, effect_id: str, attempts: int, now: datetime, error: str) -> None:
        """Out of the pending effects but kept (no expiry): an operator looks at it (docs/operations.md)."""

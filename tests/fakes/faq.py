"""In-memory FAQ store for unit tests (same contract as the DynamoDB adapter)."""

from __future__ import annotations

from madoguchi.faq.models import FaqEntry, FaqUnanswered
from madoguchi.faq.store import FaqStore
from madoguchi.metrics.models import DomainEvent
from madoguchi.shared.errors import Conflict, NotFound


class MemoryFaqStore(FaqStore):
    def __init__(self, entries: list[FaqEntry] | None = None) -> None:
        self._entries: dict[str, FaqEntry] = {e.id: e for e in entries or []}
        self._history: dict[str, list[FaqEntry]] = {e.id: [e] for e in entries or []}
        self._version = 1 if entries else 0
        self._unanswered: dict[str, FaqUnanswered] = {}
        self.events: list[DomainEvent] = []

    def entries(self) -> list[FaqEntry]:
        return [self._entries[k] for k in sorted(self._entries)]

    def get(self, entry_id: str) -> FaqEntry | None:
        return self._entries.get(entry_id)

    def version(self) -> int:
        return self._version

    def save(self, entry: FaqEntry, expected_version: int) -> None:
        current = self._entries.get(entry.id)
        if (current.version if current else 0) != expected_version or entry.version != expected_version + 1:
            raise Conflict(entry_id=entry.id)
        self._entries[entry.id] = entry
        self._history.setdefault(entry.id, []).append(entry)
        self._version += 1

    def history(self, entry_id: str) -> list[FaqEntry]:
        return list(reversed(self._history.get(entry_id, [])))

    def add_unanswered(self, question: FaqUnanswered, event: DomainEvent | None = None) -> None:
        if question.id in self._unanswered:
            raise Conflict(question_id=question.id)
        self._unanswered[question.id] = question
        if event is not None:
            self.events.append(event)  # the outbox: written with the question or not at all

    def unanswered(self, limit: int) -> list[FaqUnanswered]:
        return [self._unanswered[k] for k in sorted(self._unanswered, reverse=True)][:limit]

    def resolve_unanswered(self, question_id: str) -> None:
        if self._unanswered.pop(question_id, None) is None:
            raise NotFound()

from __future__ import annotations

from abc import ABC, abstractmethod

from madoguchi.faq.models import FaqEntry, FaqUnanswered
from madoguchi.metrics.models import DomainEvent


class FaqStore(ABC):
    """FAQ entries with their versions, the FAQ's version number (bumped by every edit: the search index is
    rebuilt when it changes) and the questions kept for staff review."""

    @abstractmethod
    def entries(self) -> list[FaqEntry]: ...

    @abstractmethod
    def get(self, entry_id: str) -> FaqEntry | None: ...

    @abstractmethod
    def version(self) -> int: ...

    @abstractmethod
    def save(self, entry: FaqEntry, expected_version: int) -> None:
        """Store `entry` (its `version` is expected_version + 1), keep it in the history and bump the FAQ's
        version, all or nothing. Raises Conflict if the stored entry is not at `expected_version`."""

    @abstractmethod
    def history(self, entry_id: str) -> list[FaqEntry]:
        """Every version, newest first."""

    @abstractmethod
    def add_unanswered(self, question: FaqUnanswered, event: DomainEvent | None = None) -> None:
        """Keep a question for review, with its hand-off event (madoguchi.faq.events) in the same transaction;
        raises Conflict if its id is taken."""

    @abstractmethod
    def unanswered(self, limit: int) -> list[FaqUnanswered]:
        """Newest first."""

    @abstractmethod
    def resolve_unanswered(self, question_id: str) -> None:
        """Remove a reviewed question. Raises NotFound if it is not there."""

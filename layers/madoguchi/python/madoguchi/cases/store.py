from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from madoguchi.cases.models import (
    AuditEntry,
    Case,
    CaseRecord,
    IdentityRecord,
    Task,
    TaskStatus,
    ThreadMessage,
    Verification,
)
from madoguchi.shared.outbox import Outboxed


class CaseStore(ABC):
    """Every change is written together with its audit entry, or not at all; nothing is filed under a case that
    does not exist (Conflict)."""

    @abstractmethod
    def create(self, case: Case, audit: AuditEntry, events: Sequence[Outboxed] = ()) -> None:
        """Store a new case and, if it has a code, the code's pointer to it; Conflict if either exists. `events`
        (cases/events.py) go to the outbox in the same transaction, here and below."""

    @abstractmethod
    def by_code(self, code: str) -> str | None:
        """The id of the case with this short code."""

    @abstractmethod
    def get(self, case_id: str) -> Case | None: ...

    @abstractmethod
    def record(self, case_id: str) -> CaseRecord | None:
        """The case with its timeline, thread and verifications, each oldest first."""

    @abstractmethod
    def record_identity(
        self, case_id: str, identity: IdentityRecord, audit: AuditEntry, events: Sequence[Outboxed] = ()
    ) -> None:
        """Set identity and open the case; raises Conflict unless it was awaiting identity."""

    @abstractmethod
    def workflow_started(self, case_id: str, audit: AuditEntry) -> None:
        """Record that Step Functions has the case's execution (`workflow_started_at` = the audit's time), once:
        raises Conflict if it is recorded already or the case does not exist."""

    @abstractmethod
    def update_step(self, case_id: str, department: str, changes: dict[str, Any], audit: AuditEntry) -> None: ...

    @abstractmethod
    def close(self, case_id: str, audit: AuditEntry, events: Sequence[Outboxed] = ()) -> None: ...

    @abstractmethod
    def add_message(self, case_id: str, message: ThreadMessage, audit: AuditEntry) -> None:
        """File a message; raises Conflict if its id was filed already (a retry) or the case does not exist."""

    @abstractmethod
    def add_verification(self, case_id: str, verification: Verification, audit: AuditEntry) -> None:
        """File a question; raises Conflict if its id was filed already (a retry) or the case does not exist."""

    @abstractmethod
    def answer_verification(self, case_id: str, answered: Verification, audit: AuditEntry) -> None:
        """Store the answer; raises Conflict if the verification was answered already."""

    @abstractmethod
    def audit(self, case_id: str, audit: AuditEntry) -> None: ...

    @abstractmethod
    def pending_verifications(
        self, department: str, limit: int, cursor: str | None = None
    ) -> tuple[list[tuple[str, Verification]], str | None]:
        """(case id, verification) of the open verifications asked of the department, oldest first, a page at a
        time (with the next page's cursor)."""

    @abstractmethod
    def pending_verification_count(self, department: str) -> int:
        """How many verifications wait for the department's answer (what pending_verifications lists), kept in
        the transaction of each ask and answer, at a cost that does not grow with their number."""


class TaskStore(ABC):
    @abstractmethod
    def add(self, task: Task) -> None:
        """Store a new pending task; raises Conflict if its id exists."""

    @abstractmethod
    def get(self, task_id: str) -> Task | None: ...

    @abstractmethod
    def pending_for(self, department: str, limit: int, cursor: str | None = None) -> tuple[list[Task], str | None]:
        """The department's pending tasks, oldest first, a page at a time (with the next page's cursor)."""

    @abstractmethod
    def pending_count(self, department: str) -> int:
        """How many tasks wait in the department's inbox (what pending_for lists), at a cost that does not grow
        with the number of tasks."""

    @abstractmethod
    def decide(self, task_id: str, status: TaskStatus, by: str, at: datetime, events: Sequence[Outboxed] = ()) -> Task:
        """Move a pending task to `status`; raises Conflict if it is no longer pending (decided twice). `events`
        (the answer the decision owes its workflow) go to the outbox in the same transaction."""

"""In-memory CaseStore, TaskStore and Workflows for unit tests."""

from __future__ import annotations

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
from madoguchi.cases.store import CaseStore, TaskStore
from madoguchi.cases.workflows import Workflows, WorkflowUnavailable
from madoguchi.shared.errors import Conflict
from madoguchi.shared.outbox import Outboxed


class MemoryTaskStore(TaskStore):
    def __init__(self) -> None:
        self._items: dict[str, Task] = {}
        self.events: list[Outboxed] = []  # the outbox's effects, written with the decisions that owe them

    def add(self, task: Task) -> None:
        if task.id in self._items:
            raise Conflict(task_id=task.id)
        self._items[task.id] = task

    def get(self, task_id: str) -> Task | None:
        return self._items.get(task_id)

    def pending_for(self, department: str, limit: int, cursor: str | None = None) -> tuple[list[Task], str | None]:
        found = [t for t in self._items.values() if t.department == department and t.status == "pending"]
        found.sort(key=lambda t: t.created_at)
        start = int(cursor or 0)
        page = found[start : start + limit]
        return page, str(start + limit) if start + limit < len(found) else None

    def pending_count(self, department: str) -> int:
        return sum(1 for t in self._items.values() if t.department == department and t.status == "pending")

    def decide(self, task_id: str, status: TaskStatus, by: str, at: datetime, events: Sequence[Outboxed] = ()) -> Task:
        task = self._items.get(task_id)
        if task is None or task.status != "pending":
            raise Conflict(task_id=task_id)
        decided = task.model_copy(update={"status": status, "decided_by": by, "decided_at": at})
        self._items[task_id] = decided
        self.events.extend(events)  # the outbox: written with the change or not at all
        return decided


class MemoryCaseStore(CaseStore):
    def __init__(self) -> None:
        self._records: dict[str, CaseRecord] = {}
        self._codes: dict[str, str] = {}
        self.events: list[Outboxed] = []  # the outbox's events and effects, in the order written

    def _existing(self, case_id: str) -> CaseRecord:
        if case_id not in self._records:
            raise Conflict(case_id=case_id)
        return self._records[case_id]

    def create(self, case: Case, audit: AuditEntry, events: Sequence[Outboxed] = ()) -> None:
        if case.id in self._records or (case.code and case.code in self._codes):
            raise Conflict(case_id=case.id)
        self._records[case.id] = CaseRecord(case=case, timeline=[audit])
        self.events.extend(events)  # the outbox: written with the change or not at all
        if case.code:
            self._codes[case.code] = case.id

    def by_code(self, code: str) -> str | None:
        return self._codes.get(code)

    def get(self, case_id: str) -> Case | None:
        record = self._records.get(case_id)
        return record.case.model_copy(deep=True) if record else None

    def record(self, case_id: str) -> CaseRecord | None:
        record = self._records.get(case_id)
        if record is None:
            return None
        copy = record.model_copy(deep=True)
        # Oldest first, like the table's sort keys (time-ordered), whatever order they were written in.
        copy.timeline.sort(key=lambda a: a.at)
        copy.thread.sort(key=lambda m: m.at)
        copy.verifications.sort(key=lambda v: v.asked_at)
        return copy

    def record_identity(
        self, case_id: str, identity: IdentityRecord, audit: AuditEntry, events: Sequence[Outboxed] = ()
    ) -> None:
        record = self._existing(case_id)
        if record.case.status != "awaiting_identity":
            raise Conflict(case_id=case_id)
        record.case = record.case.model_copy(update={"identity": identity, "status": "open"})
        record.timeline.append(audit)
        self.events.extend(e for e in events if e.id not in {x.id for x in self.events})  # same id: same item

    def workflow_started(self, case_id: str, audit: AuditEntry) -> None:
        record = self._existing(case_id)
        if record.case.workflow_started_at is not None:
            raise Conflict(case_id=case_id)
        record.case = record.case.model_copy(update={"workflow_started_at": audit.at})
        record.timeline.append(audit)

    def update_step(self, case_id: str, department: str, changes: dict[str, Any], audit: AuditEntry) -> None:
        record = self._existing(case_id)
        if record.case.step(department) is None:
            raise Conflict(case_id=case_id)
        steps = [s.model_copy(update=changes) if s.department == department else s for s in record.case.steps]
        record.case = record.case.model_copy(update={"steps": steps})
        record.timeline.append(audit)

    def close(self, case_id: str, audit: AuditEntry, events: Sequence[Outboxed] = ()) -> None:
        record = self._existing(case_id)
        if record.case.status != "open":
            raise Conflict(case_id=case_id)
        record.case = record.case.model_copy(update={"status": "closed", "closed_at": audit.at})
        record.timeline.append(audit)
        self.events.extend(events)

    def add_message(self, case_id: str, message: ThreadMessage, audit: AuditEntry) -> None:
        record = self._existing(case_id)
        if any(m.id == message.id for m in record.thread):
            raise Conflict(case_id=case_id)
        record.thread.append(message)
        record.timeline.append(audit)

    def add_verification(self, case_id: str, verification: Verification, audit: AuditEntry) -> None:
        record = self._existing(case_id)
        if any(v.id == verification.id for v in record.verifications):
            raise Conflict(case_id=case_id)
        record.verifications.append(verification)
        record.timeline.append(audit)

    def answer_verification(self, case_id: str, answered: Verification, audit: AuditEntry) -> None:
        record = self._existing(case_id)
        index = next((i for i, v in enumerate(record.verifications) if v.id == answered.id), None)
        if index is None or record.verifications[index].answer is not None:
            raise Conflict(case_id=case_id)
        record.verifications[index] = answered
        record.timeline.append(audit)

    def pending_verifications(
        self, department: str, limit: int, cursor: str | None = None
    ) -> tuple[list[tuple[str, Verification]], str | None]:
        open_ones = sorted(
            (
                (v.asked_at.isoformat(), case_id, v)
                for case_id, record in self._records.items()
                for v in record.verifications
                if v.department == department and v.answer is None
            ),
            key=lambda entry: (entry[0], entry[1], entry[2].id),
        )
        start = int(cursor or 0)
        page = open_ones[start : start + limit]
        more = start + limit < len(open_ones)
        return [(case_id, v) for _, case_id, v in page], str(start + limit) if more else None

    def pending_verification_count(self, department: str) -> int:
        return len(self.pending_verifications(department, 10**6)[0])

    def audit(self, case_id: str, audit: AuditEntry) -> None:
        self._existing(case_id).timeline.append(audit)


class MemoryWorkflows(Workflows):
    """Records starts; tokens are live until answered once, like Step Functions'."""

    def __init__(self) -> None:
        self.started: list[tuple[str, str, dict[str, Any]]] = []
        self.answered: dict[str, tuple[str, dict[str, Any]]] = {}
        self.dead_tokens: set[str] = set()
        self.unavailable = 0  # the next calls that fail as a throttled or unreachable Step Functions would

    def _maybe_unavailable(self) -> None:
        if self.unavailable > 0:
            self.unavailable -= 1
            raise WorkflowUnavailable()

    def start(self, workflow: str, name: str, payload: dict[str, Any]) -> str:
        self._maybe_unavailable()
        if any(started == name for _, started, _ in self.started):
            raise Conflict(execution=name)  # an execution's name is unique
        self.started.append((workflow, name, payload))
        return f"execution:{workflow}:{name}"

    def _answer(self, token: str, outcome: str, detail: dict[str, Any]) -> None:
        self._maybe_unavailable()
        if token in self.answered or token in self.dead_tokens:
            raise Conflict()
        self.answered[token] = (outcome, detail)

    def succeed(self, token: str, output: dict[str, Any]) -> None:
        self._answer(token, "success", output)

    def fail(self, token: str, error: str, cause: str) -> None:
        self._answer(token, "failure", {"error": error, "cause": cause})

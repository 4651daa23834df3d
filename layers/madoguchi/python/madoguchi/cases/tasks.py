"""Human steps: registering them for the department inbox, and staff approving or returning them."""

from __future__ import annotations

import contextlib
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from madoguchi.cases import service as cases
from madoguchi.cases.models import (
    Approve,
    AuditEntry,
    RegisterTask,
    Return,
    Task,
    TaskList,
    TaskStatus,
    TaskView,
    view,
)
from madoguchi.cases.service import ANSWER_TASK, CaseDeps
from madoguchi.cases.store import CaseStore, TaskStore
from madoguchi.effects.models import Effect
from madoguchi.shared.auth import Caller, Role, require
from madoguchi.shared.errors import Conflict, Forbidden, NotFound

INBOX_PAGE = 50
RETURNED_ERROR = "Case.Returned"  # the error name the life-event state machines catch


@dataclass(frozen=True)
class TaskDeps:
    tasks: TaskStore
    cases: CaseStore

    @property
    def case_deps(self) -> CaseDeps:
        return CaseDeps(self.cases)


def register_task(request: RegisterTask, deps: TaskDeps, now: datetime, *, ttl_days: int) -> Task:
    """Record a workflow's waiting step for its department's inbox; the token stays in the store."""
    attempt = 1
    case = deps.cases.get(request.case_id) if request.case_id else None
    if case:
        found = case.step(request.department)
        attempt = found.escalations + 1 if found else 1
    task = Task(
        id=uuid.uuid4().hex,
        department=request.department,
        step=request.step,
        kind=request.kind,
        case_id=request.case_id,
        case_summary=cases.summary(case) if case else None,
        attempt=attempt,
        execution=request.execution,
        token=request.token,
        created_at=now,
        expires_at=int((now + timedelta(days=ttl_days)).timestamp()),
    )
    deps.tasks.add(task)
    if request.case_id:
        cases.step_waits(request.case_id, request.department, task.id, request.kind, deps.case_deps, now)
    return task


def inbox(cursor: str | None, caller: Caller | None, deps: TaskDeps) -> TaskList:
    """The pending tasks of the calling staff member's department, oldest first (a page after `cursor`)."""
    staff = require(caller, Role.STAFF)
    if not staff.department:
        return TaskList(tasks=[])
    tasks, following = deps.tasks.pending_for(staff.department, INBOX_PAGE, cursor)
    return TaskList(tasks=[view(t) for t in tasks], next=following)


def _decidable(task_id: str, caller: Caller | None, store: TaskStore) -> tuple[Caller, Task]:
    staff = require(caller, Role.STAFF)
    task = store.get(task_id)
    if task is None:
        raise NotFound(task_id=task_id)
    if staff.department != task.department:
        raise Forbidden()
    if task.status != "pending":
        raise Conflict(task_id=task_id)
    return staff, task


def answer_task(task_id: str, decision: TaskStatus, now: datetime) -> Effect:
    """The answer a decision owes its waiting workflow, written with the decision (cases.effects sends it with the
    token read from the task then: the token never sits in the outbox)."""
    return Effect(
        id=f"cases:{task_id}:answer_task",
        kind=ANSWER_TASK,
        payload={"task_id": task_id, "decision": decision},
        created_at=now,
    )


def approve(
    task_id: str,
    request: Approve,
    caller: Caller | None,
    deps: TaskDeps,
    now: datetime,
) -> TaskView:
    """Approve a step (or, for a step waiting on the resident, say the missing item arrived). Once only: 409."""
    staff, task = _decidable(task_id, caller, deps.tasks)
    # The conditional write decides races, and owes the workflow its answer in the same transaction.
    decided = deps.tasks.decide(task_id, "approved", staff.sub, now, [answer_task(task_id, "approved", now)])
    if task.case_id:
        received = task.kind == "awaiting_resident"
        action = "missing_item_received" if received else "step_approved"
        changes = {"status": "waiting", "return_reason": None} if received else {"status": "approved"}
        audit = AuditEntry(at=now, actor=staff.sub, action=action, department=task.department, detail=request.note)
        deps.cases.update_step(task.case_id, task.department, changes, audit)
    return view(decided)


def give_back(
    task_id: str,
    request: Return,
    caller: Caller | None,
    deps: TaskDeps,
    now: datetime,
) -> TaskView:
    """Return a step for something the resident must bring or correct; the case waits for it."""
    staff, task = _decidable(task_id, caller, deps.tasks)
    if task.kind != "review":
        raise Conflict(task_id=task_id)
    decided = deps.tasks.decide(task_id, "returned", staff.sub, now, [answer_task(task_id, "returned", now)])
    if task.case_id:
        audit = AuditEntry(
            at=now, actor=staff.sub, action="step_returned", department=task.department, detail=request.reason
        )
        deps.cases.update_step(task.case_id, task.department, {"return_reason": request.reason}, audit)
    return view(decided)


def escalate(case_id: str, department: str, deps: TaskDeps, now: datetime) -> int:
    """A step waited past its timeout: its task's token is dead, so the task expires; the case records it.

    Returns the step's escalation count, for the notification to the department's lead.
    """
    case = deps.cases.get(case_id)
    step = case.step(department) if case else None
    if step and step.task_id:
        # A decision just before the timeout came too late for Step Functions: the task is decided already.
        with contextlib.suppress(Conflict):
            deps.tasks.decide(step.task_id, "expired", cases.WORKFLOW_ACTOR, now)
    return cases.step_escalated(case_id, department, deps.case_deps, now)

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from madoguchi.auth import Caller, Role, require
from madoguchi.ports.tasks import TaskStore
from madoguchi.tasks import RegisterTask, Task, TaskList, view


def register_task(request: RegisterTask, store: TaskStore, now: datetime, ttl_days: int) -> Task:
    """Record a workflow's waiting step for its department's inbox; the token stays in the store."""
    task = Task(
        id=uuid.uuid4().hex,
        department=request.department,
        step=request.step,
        execution=request.execution,
        token=request.token,
        created_at=now,
        expires_at=int((now + timedelta(days=ttl_days)).timestamp()),
    )
    store.add(task)
    return task


def inbox(caller: Caller | None, store: TaskStore) -> TaskList:
    """The pending tasks of the calling staff member's department, oldest first."""
    staff = require(caller, Role.STAFF)
    if not staff.department:
        return TaskList(tasks=[])
    return TaskList(tasks=[view(t) for t in store.pending_for(staff.department)])

"""Human steps of workflows (承認待ちタスク). The Step Functions task token is kept here and nowhere else."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

TaskStatus = Literal["pending", "approved", "returned", "expired"]
TaskKind = Literal["review", "awaiting_resident"]


class Task(BaseModel):
    id: str
    department: str
    step: str
    execution: str
    token: str = Field(repr=False)  # never part of any response model
    kind: TaskKind = "review"
    case_id: str | None = None
    attempt: int = 1
    status: TaskStatus = "pending"
    created_at: datetime
    decided_by: str | None = None
    decided_at: datetime | None = None
    expires_at: int = Field(description="Epoch seconds, for DynamoDB TTL")


class RegisterTask(BaseModel):
    """What a workflow's waitForTaskToken step passes to the registering function."""

    token: str = Field(min_length=1, repr=False)
    execution: str = Field(min_length=1)
    department: str = Field(min_length=1)
    step: str = "case"
    kind: TaskKind = "review"
    case_id: str | None = None


class TaskView(BaseModel):
    """A task as staff see it: everything but the token."""

    id: str
    department: str
    step: str
    kind: TaskKind
    case_id: str | None
    attempt: int
    execution: str
    status: TaskStatus
    created_at: datetime
    decided_by: str | None
    decided_at: datetime | None


class TaskList(BaseModel):
    tasks: list[TaskView]
    next: str | None = Field(default=None, description="Cursor for the next page, if any")


class Approve(BaseModel):
    note: str = Field(default="", max_length=500)


class Return(BaseModel):
    reason: str = Field(min_length=1, max_length=500, description="What the resident must bring or correct")


def view(task: Task) -> TaskView:
    return TaskView.model_validate(task.model_dump(exclude={"token", "expires_at"}))

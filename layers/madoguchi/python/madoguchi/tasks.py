"""Human steps of workflows (承認待ちタスク). The Step Functions task token is kept here and nowhere else."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

TaskStatus = Literal["pending", "approved", "returned"]


class Task(BaseModel):
    id: str
    department: str
    step: str
    execution: str
    token: str = Field(repr=False)  # never part of any response model
    status: TaskStatus = "pending"
    created_at: datetime
    expires_at: int = Field(description="Epoch seconds, for DynamoDB TTL")


class RegisterTask(BaseModel):
    """What a workflow's waitForTaskToken step passes to the registering function."""

    token: str = Field(min_length=1, repr=False)
    execution: str = Field(min_length=1)
    step: str = Field(min_length=1)
    department: str = Field(min_length=1)


class TaskView(BaseModel):
    """A task as staff see it: everything but the token."""

    id: str
    department: str
    step: str
    execution: str
    status: TaskStatus
    created_at: datetime


class TaskList(BaseModel):
    tasks: list[TaskView]


def view(task: Task) -> TaskView:
    return TaskView.model_validate(task.model_dump(exclude={"token", "expires_at"}))

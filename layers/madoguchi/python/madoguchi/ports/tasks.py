from __future__ import annotations

from abc import ABC, abstractmethod
from datetime import datetime

from madoguchi.tasks import Task, TaskStatus


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
    def decide(self, task_id: str, status: TaskStatus, by: str, at: datetime) -> Task:
        """Move a pending task to `status`; raises Conflict if it is no longer pending (decided twice)."""

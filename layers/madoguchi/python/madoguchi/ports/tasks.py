from __future__ import annotations

from abc import ABC, abstractmethod

from madoguchi.tasks import Task


class TaskStore(ABC):
    @abstractmethod
    def add(self, task: Task) -> None:
        """Store a new pending task; raises Conflict if its id exists."""

    @abstractmethod
    def get(self, task_id: str) -> Task | None: ...

    @abstractmethod
    def pending_for(self, department: str) -> list[Task]: ...

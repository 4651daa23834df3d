"""In-memory adapters of the ports, for unit tests and benchmarks of the logic."""

from __future__ import annotations

from madoguchi.errors import Conflict
from madoguchi.ports.procedures import ProcedureStore
from madoguchi.ports.tasks import TaskStore
from madoguchi.procedures import Procedure
from madoguchi.tasks import Task


class MemoryProcedureStore(ProcedureStore):
    def __init__(self, procedures: list[Procedure] | None = None) -> None:
        self._items = {p.id: p for p in procedures or []}

    def list(self) -> list[Procedure]:
        return [self._items[k] for k in sorted(self._items)]

    def get(self, procedure_id: str) -> Procedure | None:
        return self._items.get(procedure_id)

    def put(self, procedure: Procedure) -> None:
        self._items[procedure.id] = procedure


class MemoryTaskStore(TaskStore):
    def __init__(self) -> None:
        self._items: dict[str, Task] = {}

    def add(self, task: Task) -> None:
        if task.id in self._items:
            raise Conflict(task_id=task.id)
        self._items[task.id] = task

    def get(self, task_id: str) -> Task | None:
        return self._items.get(task_id)

    def pending_for(self, department: str) -> list[Task]:
        found = [t for t in self._items.values() if t.department == department and t.status == "pending"]
        return sorted(found, key=lambda t: t.created_at)

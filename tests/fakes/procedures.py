"""In-memory ProcedureStore for unit tests."""

from __future__ import annotations

from madoguchi.procedures.models import Procedure
from madoguchi.procedures.store import ProcedureStore


class MemoryProcedureStore(ProcedureStore):
    def __init__(self, procedures: list[Procedure] | None = None) -> None:
        self._items = {p.id: p for p in procedures or []}

    def list(self) -> list[Procedure]:
        return [self._items[k] for k in sorted(self._items)]

    def get(self, procedure_id: str) -> Procedure | None:
        return self._items.get(procedure_id)

    def put(self, procedure: Procedure) -> None:
        self._items[procedure.id] = procedure

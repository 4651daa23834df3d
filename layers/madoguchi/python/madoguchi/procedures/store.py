from __future__ import annotations

from abc import ABC, abstractmethod

from madoguchi.procedures.models import Procedure


class ProcedureStore(ABC):
    @abstractmethod
    def list(self) -> list[Procedure]: ...

    @abstractmethod
    def get(self, procedure_id: str) -> Procedure | None: ...

    @abstractmethod
    def put(self, procedure: Procedure) -> None: ...

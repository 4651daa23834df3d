from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any

from madoguchi.cases import AuditEntry, Case, CaseRecord, IdentityRecord, ThreadMessage, Verification


class CaseStore(ABC):
    """Every change is written together with its audit entry, or not at all."""

    @abstractmethod
    def create(self, case: Case, audit: AuditEntry) -> None: ...

    @abstractmethod
    def get(self, case_id: str) -> Case | None: ...

    @abstractmethod
    def record(self, case_id: str) -> CaseRecord | None:
        """The case with its timeline, thread and verifications."""

    @abstractmethod
    def record_identity(self, case_id: str, identity: IdentityRecord, audit: AuditEntry) -> None:
        """Set identity and open the case; raises Conflict unless it was awaiting identity."""

    @abstractmethod
    def update_step(self, case_id: str, department: str, changes: dict[str, Any], audit: AuditEntry) -> None: ...

    @abstractmethod
    def close(self, case_id: str, audit: AuditEntry) -> None: ...

    @abstractmethod
    def add_message(self, case_id: str, message: ThreadMessage, audit: AuditEntry) -> None: ...

    @abstractmethod
    def add_verification(self, case_id: str, verification: Verification, audit: AuditEntry) -> None: ...

    @abstractmethod
    def answer_verification(self, case_id: str, answered: Verification, audit: AuditEntry) -> None:
        """Store the answer; raises Conflict if the verification was answered already."""

    @abstractmethod
    def audit(self, case_id: str, audit: AuditEntry) -> None: ...

"""Where applications live. Every change is written together with its audit entry, or not at all."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from madoguchi.applications.models import Application, Attachment, AuditEntry, Resident, Visit
from madoguchi.cases.models import Verification
from madoguchi.effects.models import Effect
from madoguchi.metrics.models import DomainEvent
from madoguchi.shared.errors import DomainError


@dataclass
class ApplicationRecord:
    application: Application
    attachments: list[Attachment] = field(default_factory=list)
    verifications: list[Verification] = field(default_factory=list)
    audit: list[AuditEntry] = field(default_factory=list)


class ApplicationStore(ABC):
    @abstractmethod
    def create(self, application: Application, audit: AuditEntry, idempotency: str | None = None) -> None:
        """Store a new application and its short code; raises Conflict if the idempotency key was used."""

    @abstractmethod
    def save(
        self,
        application: Application,
        audit: AuditEntry,
        *,
        expected_version: int,
        idempotency: str | None = None,
        verifications: list[Verification] | None = None,
        attachment_keys: list[str] | None = None,
        event: DomainEvent | None = None,
        payment_event: DomainEvent | None = None,
        effects: Sequence[Effect] = (),
    ) -> None:
        """Replace the application (its version must still be `expected_version`), append the audit entry, and
        optionally record an idempotency key, add verification requests, require attachments to be valid and
        put the change's domain event (and its fee's payment event) and the effects it owes in the outbox; all in
        one transaction. Raises Conflict if anything changed meanwhile; refuses effects without an outbox."""

    @abstractmethod
    def delete_draft(self, application: Application, *, expected_version: int) -> None:
        """Remove a draft with its short code, attachments and audit entries; raises Conflict unless it is
        still a draft at `expected_version`."""

    @abstractmethod
    def record(self, application_id: str) -> ApplicationRecord | None: ...

    @abstractmethod
    def get(self, application_id: str) -> Application | None: ...

    @abstractmethod
    def by_code(self, code: str) -> str | None: ...

    @abstractmethod
    def by_idempotency(self, key: str) -> str | None: ...

    @abstractmethod
    def mine(self, owner: str, limit: int, cursor: str | None) -> tuple[list[Application], str | None]: ...

    @abstractmethod
    def inbox(
        self, department: str, status: str | None, limit: int, cursor: str | None
    ) -> tuple[list[Application], str | None]: ...

    @abstractmethod
    def waiting_counts(self, department: str) -> dict[str, int]:
        """The department's waiting work as the inbox lists it: {"received", "in_review"} (applications by
        status) and "verify" (open verifications asked of it), at a cost that does not grow with the data."""

    @abstractmethod
    def add_attachment(self, application_id: str, attachment: Attachment) -> None:
        """A new pending attachment; raises Conflict if its id exists (a retry with the same key)."""

    @abstractmethod
    def attachment(self, application_id: str, attachment_id: str) -> Attachment | None: ...

    @abstractmethod
    def mark_attachment(self, application_id: str, checked: Attachment) -> None:
        """Record the check's outcome; raises Conflict unless the attachment was still pending."""

    @abstractmethod
    def answer_verification(self, application_id: str, answered: Verification, audit: AuditEntry) -> None:
        """Raises Conflict if it was answered already."""

    @abstractmethod
    def pending_verifications(
        self, department: str, limit: int, cursor: str | None
    ) -> tuple[list[tuple[str, Verification]], str | None]: ...

    @abstractmethod
    def awaiting_payment(
        self, updated_before: datetime, limit: int, cursor: str | None = None
    ) -> tuple[list[Application], str | None]:
        """Applications waiting for their fee since before `updated_before`, oldest first, a page at a time (for
        reconciliation); the cursor continues after the last one returned."""

    @abstractmethod
    def audit(self, application_id: str, audit: AuditEntry) -> None: ...

    @abstractmethod
    def put_visit(self, visit: Visit, idempotency: str | None = None) -> None:
        """Store a visit (and the idempotency key naming it, in the same write); Conflict if the key was used."""

    @abstractmethod
    def visit(self, visit_id: str, now: datetime) -> Visit | None:
        """The visit, or None once it has expired (TTL deletes lazily, so expiry is checked on read too)."""

    @abstractmethod
    def resident(self, resident_id: str) -> Resident | None: ...

    @abstractmethod
    def put_resident(self, resident: Resident) -> None: ...


class StorageUnavailable(DomainError):
    """The file store failed or hung after the SDK's retries: nothing was changed; try again (503)."""

    status = 503
    code = "storage_unavailable"


class NoSuchFile(LookupError):
    """The file is not (or no longer) in the bucket."""


class Attachments(ABC):
    """The attachments bucket: presigned uploads in, checked files out, short-lived links for staff."""

    @abstractmethod
    def presign_upload(
        self, key: str, content_type: str, max_bytes: int, expires_in: int
    ) -> tuple[str, dict[str, str]]: ...

    @abstractmethod
    def link(self, key: str, expires_in: int) -> str: ...

    @abstractmethod
    def read(self, key: str, max_bytes: int) -> bytes:
        """Up to max_bytes + 1 bytes of the file; NoSuchFile when it is not there."""

    @abstractmethod
    def write(self, key: str, body: bytes, content_type: str) -> None: ...

    @abstractmethod
    def write_new(self, key: str, body: bytes, content_type: str) -> bool:
        """Write the file only if the key holds none (a conditional write): False, and nothing changed, if it
        does — a duplicate delivery never replaces the first one's file nor its tags."""

    @abstractmethod
    def delete(self, key: str) -> None: ...

    @abstractmethod
    def mark_referenced(self, key: str) -> None:
        """Keep the file: a submitted application refers to it (unreferenced ones expire)."""


class Mailer(ABC):
    """Status notifications: only the reference number, status and a link — never the form's data."""

    @abstractmethod
    def send(self, to: str, subject: str, body: str) -> None: ...

"""In-memory applications store, attachments bucket and mailer for unit tests; same contracts as the adapters."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from madoguchi.applications.models import Application, Attachment, AuditEntry, Resident, Visit
from madoguchi.applications.store import (
    ApplicationRecord,
    ApplicationStore,
    Attachments,
    Mailer,
    NoSuchFile,
    StorageUnavailable,
)
from madoguchi.cases.models import Verification
from madoguchi.effects.models import Effect
from madoguchi.metrics.models import DomainEvent
from madoguchi.payments.store import PaymentGateway
from madoguchi.shared.errors import Conflict


def resident_one(lang: str) -> Resident:
    """The demo resident-1's record, in the language they chose for e-mails."""
    return Resident(
        id="resident-1",
        name="市民 一郎",
        address="四日市市諏訪町1番5号",
        date_of_birth="1985-04-12",
        sex="male",
        phone="059-354-0001",
        email="ichiro@example.jp",
        lang=lang,
    )


class MemoryApplicationStore(ApplicationStore):
    def __init__(self) -> None:
        self.applications: dict[str, Application] = {}
        self.codes: dict[str, str] = {}
        self.keys: dict[str, str] = {}
        self.attachments: dict[str, dict[str, Attachment]] = {}
        self.verifications: dict[str, dict[str, Verification]] = {}
        self.audits: dict[str, list[AuditEntry]] = {}
        self.visits: dict[str, Visit] = {}
        self.residents: dict[str, Resident] = {}
        self.events: list[DomainEvent] = []
        self.effects: list[Effect] = []  # owed in the outbox with their change (MemoryEffectQueue.owe)

    def create(self, application: Application, audit: AuditEntry, idempotency: str | None = None) -> None:
        if application.id in self.applications or application.code in self.codes:
            raise Conflict()
        if idempotency is not None:
            if idempotency in self.keys:
                raise Conflict()
            self.keys[idempotency] = application.id
        self.applications[application.id] = application.model_copy(deep=True)
        self.codes[application.code] = application.id
        self.audits.setdefault(application.id, []).append(audit)

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
        current = self.applications.get(application.id)
        if current is None or current.version != expected_version:
            raise Conflict()
        if idempotency is not None and idempotency in self.keys:
            raise Conflict()
        for attachment_id in attachment_keys or []:
            found = self.attachments.get(application.id, {}).get(attachment_id)
            if found is None or found.status != "valid":
                raise Conflict()
        if idempotency is not None:
            self.keys[idempotency] = application.id
        for v in verifications or []:
            self.verifications.setdefault(application.id, {})[v.id] = v
        self.applications[application.id] = application.model_copy(deep=True)
        self.audits.setdefault(application.id, []).append(audit)
        # the outbox: written with the change or not at all
        self.events.extend(e for e in (event, payment_event) if e is not None)
        self.effects.extend(effects)

    def delete_draft(self, application: Application, *, expected_version: int) -> None:
        current = self.applications.get(application.id)
        if current is None or current.version != expected_version or current.status != "draft":
            raise Conflict()
        del self.applications[application.id]
        self.codes.pop(application.code, None)
        for held in (self.attachments, self.verifications, self.audits):
            held.pop(application.id, None)

    def record(self, application_id: str) -> ApplicationRecord | None:
        application = self.get(application_id)
        if application is None:
            return None
        return ApplicationRecord(
            application=application,
            attachments=list(self.attachments.get(application_id, {}).values()),
            verifications=list(self.verifications.get(application_id, {}).values()),
            audit=list(self.audits.get(application_id, [])),
        )

    def get(self, application_id: str) -> Application | None:
        found = self.applications.get(application_id)
        return found.model_copy(deep=True) if found else None

    def by_code(self, code: str) -> str | None:
        return self.codes.get(code)

    def by_idempotency(self, key: str) -> str | None:
        return self.keys.get(key)

    @staticmethod
    def _page(items: list[Application], limit: int, cursor: str | None) -> tuple[list[Application], str | None]:
        start = int(cursor or 0)
        page = items[start : start + limit]
        return page, str(start + limit) if start + limit < len(items) else None

    def mine(self, owner: str, limit: int, cursor: str | None) -> tuple[list[Application], str | None]:
        items = sorted((a for a in self.applications.values() if a.owner == owner), key=lambda a: a.created_at)
        return self._page(items[::-1], limit, cursor)

    def inbox(
        self, department: str, status: str | None, limit: int, cursor: str | None
    ) -> tuple[list[Application], str | None]:
        # As the table's sparse `inbox` index: submitted or handed over, never while the fee is unpaid; by
        # status, then submission (or hand-over) time.
        items = [
            a
            for a in self.applications.values()
            if a.department == department
            and a.status != "awaiting_payment"
            and (a.submitted_at is not None or a.status in ("preregistered", "awaiting_confirmation"))
            and (status is None or a.status == status)
        ]
        return self._page(sorted(items, key=lambda a: (a.status, a.submitted_at or a.updated_at, a.id)), limit, cursor)

    def awaiting_payment(
        self, updated_before: datetime, limit: int, cursor: str | None = None
    ) -> tuple[list[Application], str | None]:
        # Continues after the last key returned, as DynamoDB's ExclusiveStartKey does: an application that left
        # the list meanwhile (received, reopened) does not shift the next page.
        def key(a: Application) -> str:
            return f"{a.updated_at.isoformat()}#{a.id}"

        waiting = sorted(
            (
                a
                for a in self.applications.values()
                if a.status == "awaiting_payment" and a.updated_at < updated_before and key(a) > (cursor or "")
            ),
            key=key,
        )
        page = waiting[:limit]
        return page, key(page[-1]) if len(waiting) > limit else None

    def add_attachment(self, application_id: str, attachment: Attachment) -> None:
        if attachment.id in self.attachments.get(application_id, {}):
            raise Conflict()
        self.attachments.setdefault(application_id, {})[attachment.id] = attachment

    def attachment(self, application_id: str, attachment_id: str) -> Attachment | None:
        return self.attachments.get(application_id, {}).get(attachment_id)

    def mark_attachment(self, application_id: str, checked: Attachment) -> None:
        current = self.attachment(application_id, checked.id)
        if current is None or current.status != "pending":
            raise Conflict()
        self.attachments[application_id][checked.id] = checked

    def answer_verification(self, application_id: str, answered: Verification, audit: AuditEntry) -> None:
        current = self.verifications.get(application_id, {}).get(answered.id)
        if current is None or current.answer is not None:
            raise Conflict()
        self.verifications[application_id][answered.id] = answered
        self.audits.setdefault(application_id, []).append(audit)

    def waiting_counts(self, department: str) -> dict[str, int]:
        mine = [a for a in self.applications.values() if a.department == department]
        verify = sum(
            1
            for by_id in self.verifications.values()
            for v in by_id.values()
            if v.department == department and v.answer is None
        )
        return {
            "received": sum(1 for a in mine if a.status == "received"),
            "in_review": sum(1 for a in mine if a.status == "in_review"),
            "verify": verify,
        }

    def pending_verifications(
        self, department: str, limit: int, cursor: str | None
    ) -> tuple[list[tuple[str, Verification]], str | None]:
        items = [
            (app_id, v)
            for app_id, by_id in self.verifications.items()
            for v in by_id.values()
            if v.department == department and v.answer is None
        ]
        items.sort(key=lambda item: (item[1].asked_at, item[1].id))
        start = int(cursor or 0)
        more = start + limit < len(items)
        return items[start : start + limit], str(start + limit) if more else None

    def audit(self, application_id: str, audit: AuditEntry) -> None:
        self.audits.setdefault(application_id, []).append(audit)

    def put_visit(self, visit: Visit, idempotency: str | None = None) -> None:
        if idempotency is not None:
            if idempotency in self.keys:
                raise Conflict()
            self.keys[idempotency] = visit.id
        self.visits[visit.id] = visit

    def visit(self, visit_id: str, now: datetime) -> Visit | None:
        found = self.visits.get(visit_id)
        return found if found and found.expires_at > now else None

    def resident(self, resident_id: str) -> Resident | None:
        return self.residents.get(resident_id)

    def put_resident(self, resident: Resident) -> None:
        self.residents[resident.id] = resident


class MemoryAttachments(Attachments):
    def __init__(self) -> None:
        self.objects: dict[str, tuple[bytes, str]] = {}
        self.referenced: set[str] = set()
        self.tagged: list[str] = []  # every tagging call, in order
        self.failing = False  # set True: tagging fails as S3 would after the SDK's retries

    def presign_upload(
        self, key: str, content_type: str, max_bytes: int, expires_in: int
    ) -> tuple[str, dict[str, str]]:
        return "memory://attachments", {"key": key, "Content-Type": content_type}

    def link(self, key: str, expires_in: int) -> str:
        return f"memory://attachments/{key}?expires_in={expires_in}"

    def read(self, key: str, max_bytes: int) -> bytes:
        if key not in self.objects:
            raise NoSuchFile(key)
        return self.objects[key][0][: max_bytes + 1]

    def write(self, key: str, body: bytes, content_type: str) -> None:
        self.objects[key] = (body, content_type)
        self.referenced.discard(key)  # as S3: a new object carries the tags it was put with (unreferenced)

    def write_new(self, key: str, body: bytes, content_type: str) -> bool:
        if key in self.objects:
            return False
        self.write(key, body, content_type)
        return True

    def delete(self, key: str) -> None:
        self.objects.pop(key, None)

    def mark_referenced(self, key: str) -> None:
        if self.failing:
            raise StorageUnavailable()
        self.referenced.add(key)
        self.tagged.append(key)


class MemoryMailer(Mailer):
    def __init__(self) -> None:
        self.sent: list[tuple[str, str, str]] = []
        self.failing = False  # set True: SES fails

    def send(self, to: str, subject: str, body: str) -> None:
        if self.failing:
            raise ConnectionError("ses down")
        self.sent.append((to, subject, body))


class EffectsWorker:
    """The outbox worker over these fakes: owes the effects the store's transactions wrote (as the outbox table
    holds them) and carries them out with the applications' own handlers (madoguchi.applications.effects)."""

    def __init__(
        self,
        store: MemoryApplicationStore,
        files: MemoryAttachments,
        mail: MemoryMailer,
        payments: Callable[[], PaymentGateway],
        clock: Callable[[], datetime],
    ) -> None:
        from madoguchi.applications import effects
        from madoguchi.shared.public_origin import site_origin
        from tests.fakes.effects import MemoryEffectQueue

        self.store = store
        self.queue = MemoryEffectQueue()
        self.handlers = effects.handlers(
            store, lambda: files, lambda: mail, payments, clock, base_url=lambda: site_origin()
        )
        self._clock = clock
        self._owed = 0

    def owe(self) -> None:
        self.queue.owe(self.store.effects[self._owed :])
        self._owed = len(self.store.effects)

    def deliver(self) -> dict[str, str]:
        """What the stream delivers: every effect written since, tried once."""
        self.owe()
        return self.queue.deliver(self.handlers, self._clock())

    def redrive(self, now: datetime) -> dict[str, int]:
        """One pass of the schedule at `now`."""
        from madoguchi.effects import service

        self.owe()
        return service.redrive(self.handlers, self.queue, now)

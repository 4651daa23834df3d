"""What every part of the service shares: the ports it uses, its errors, and who may read or change what."""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from madoguchi.applications.forms import Form, form, validate
from madoguchi.applications.models import Application, Attachment, AuditEntry
from madoguchi.applications.store import ApplicationRecord, ApplicationStore, Attachments
from madoguchi.cases.models import FRONT_COUNTERS
from madoguchi.certificates.store import CertificateRegistry
from madoguchi.kiosk.store import ResidentDirectory, ResidentRecords
from madoguchi.payments.store import PaymentGateway
from madoguchi.procedures.models import Procedure
from madoguchi.procedures.store import ProcedureStore
from madoguchi.shared.auth import Caller, DeviceKind, Role, require
from madoguchi.shared.errors import Conflict, Forbidden, InvalidInput, NotFound, present

UPLOAD_SECONDS = 600
LINK_SECONDS = 300
VISIT_MINUTES = 30
CHECKOUT_MINUTES = 30
PAGE = 20
REFERENCE_PREFIX = "application:"  # payment references of application fees (the gateway is shared)
# Crockford base32 without look-alikes: what staff type from a printout.
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


@dataclass(frozen=True)
class CertificateSources:
    """Where an issued certificate's content comes from (the city's resident records) and where it is
    registered so that whoever receives the paper can check it."""

    records: ResidentRecords
    directory: ResidentDirectory
    registry: CertificateRegistry


@dataclass(frozen=True)
class ApplicationDeps:
    """The ports the applications service uses. `payments` builds the gateway only when a fee is to be paid or
    checked (reading its secret costs a call), so routes without one never pay for it. Tags, refunds and
    e-mails are not called here: a change owes them as effects (madoguchi.applications.effects)."""

    store: ApplicationStore
    procedures: ProcedureStore
    attachments: Attachments | None = None
    payments: Callable[[], PaymentGateway] | None = None
    issuing: CertificateSources | None = None

    def gateway(self) -> PaymentGateway:
        if self.payments is None:
            raise RuntimeError("a fee needs the payment gateway")
        return self.payments()

    def files(self) -> Attachments:
        if self.attachments is None:
            raise RuntimeError("uploads and links need the attachments bucket")
        return self.attachments


class AttachmentNotValid(Conflict):
    code = "attachment_not_valid"


class NotEditable(Conflict):
    code = "application_not_editable"


class NotDeletable(Conflict):
    """Only a draft can be deleted: a submitted application is the city's record."""

    code = "application_not_deletable"


class VerificationPending(Conflict):
    code = "verification_pending"


class VisitExpired(NotFound):
    code = "visit_expired"


class ResidentMustConfirm(Forbidden):
    """Proxy input is confirmed by the resident's own session, never by a staff account."""

    code = "application_resident_must_confirm"


class FourEyes(Forbidden):
    """The staff member who typed an application does not also approve it."""

    code = "application_four_eyes"


class FeeUnpaid(Conflict):
    code = "application_fee_unpaid"


def paid_yen(application: Application) -> int:
    """What the resident has paid online and not been refunded (before charges were kept: the one payment)."""
    if application.charges:
        return sum(c.amount_yen - c.refunded_yen for c in application.charges)
    return application.payment.amount_yen if application.payment and application.payment.paid else 0


def refund_pending_yen(application: Application) -> int:
    """Refunds decided but not yet taken by Stripe: the resident sees them as on their way."""
    return sum(r.amount_yen for r in application.refunds if r.sent_at is None)


def new_id(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:16]}"


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))


def audit_entry(caller: Caller, action: str, now: datetime, detail: str = "") -> AuditEntry:
    return AuditEntry(
        at=now, actor=caller.sub, role=caller.role.value, action=action, department=caller.department, detail=detail
    )


def procedure_form(procedures: ProcedureStore, procedure_id: str) -> tuple[Procedure, Form]:
    procedure = procedures.get(procedure_id)
    found = form(procedure_id)
    if procedure is None or found is None:
        raise NotFound(procedure_id=procedure_id)
    return procedure, found


def form_of(application: Application) -> Form:
    return present(form(application.procedure))


def is_staff_of(caller: Caller, application: Application) -> bool:
    return caller.role is Role.STAFF and caller.department in ({application.department} | FRONT_COUNTERS)


def load(store: ApplicationStore, application_id: str) -> ApplicationRecord:
    record = store.record(application_id)
    if record is None:
        raise NotFound(application_id=application_id)
    return record


def may_read(caller: Caller, application: Application) -> bool:
    if caller.role is Role.RESIDENT:
        return application.owner == caller.sub
    if caller.role is Role.STAFF:
        return is_staff_of(caller, application)
    # A kiosk only follows the certificate request it made itself.
    return (
        caller.device_kind is DeviceKind.KIOSK and application.channel == "kiosk" and application.typed_by == caller.sub
    )


def readable(store: ApplicationStore, application_id: str, caller: Caller | None, now: datetime) -> ApplicationRecord:
    who = require(caller, Role.RESIDENT, Role.STAFF, Role.DEVICE)
    record = load(store, application_id)
    if not may_read(who, record.application):
        # Another resident's application is as unknown to them as one that does not exist.
        raise NotFound(application_id=application_id) if who.role is Role.RESIDENT else Forbidden()
    if who.role is Role.STAFF:
        store.audit(application_id, audit_entry(who, "viewed", now))
    return record


def editor(caller: Caller | None, application: Application) -> Caller:
    """Who may change a draft: its resident (not proxy input), staff for proxy input or a pre-registration, the
    kiosk that made it."""
    who = require(caller, Role.RESIDENT, Role.STAFF, Role.DEVICE)
    if who.role is Role.RESIDENT and application.owner == who.sub and application.typed_by is None:
        return who
    if (
        who.role is Role.STAFF
        and is_staff_of(who, application)
        and (application.typed_by is not None or application.status == "preregistered")
    ):
        return who
    if who.role is Role.DEVICE and application.typed_by == who.sub and application.channel == "kiosk":
        return who
    if who.role is Role.RESIDENT and application.owner != who.sub:
        raise NotFound(application_id=application.id)
    raise Forbidden()


def problems(found: Form, answers: dict[str, Any], complete: bool) -> None:
    found_problems = validate(found, answers, complete=complete)
    if found_problems:
        raise InvalidInput(found_problems)


def fee(procedure: Procedure | None, found: Form, answers: dict[str, Any]) -> int:
    return (procedure.fee_yen if procedure else 0) * found.units(answers)


def current_attachments(record: ApplicationRecord) -> dict[str, Attachment]:
    """The latest attachment of each kind: a new photo replaces the one before it."""
    latest: dict[str, Attachment] = {}
    for x in sorted(record.attachments, key=lambda x: (x.created_at, x.id)):
        latest[x.kind] = x
    return latest

"""Staff decisions (review, approve, return, reject) and issuing certificates."""

from __future__ import annotations

import hashlib
from datetime import datetime
from zoneinfo import ZoneInfo

from madoguchi.applications.events import with_event
from madoguchi.applications.models import Application, DecisionRequest, Refund, Status
from madoguchi.applications.service.access import (
    ApplicationDeps,
    FeeUnpaid,
    FourEyes,
    NotEditable,
    VerificationPending,
    audit_entry,
    form_of,
    load,
    paid_yen,
    procedure_form,
)
from madoguchi.applications.service.owed import on_change
from madoguchi.applications.service.payment import refunds_owed
from madoguchi.certificates import links as certificate_links
from madoguchi.certificates import service as certificates
from madoguchi.shared.auth import Caller, Role, require
from madoguchi.shared.errors import Conflict, Forbidden, InvalidInput, NotFound
from madoguchi.shared.i18n import pick

TOKYO = ZoneInfo("Asia/Tokyo")
MAX_COPIES = 10  # as the kiosk: bulk requests go through the counter

TRANSITIONS: dict[str, tuple[frozenset[str], Status]] = {
    "start_review": (frozenset({"received"}), "in_review"),
    "approve": (frozenset({"received", "in_review"}), "approved"),
    "return": (frozenset({"received", "in_review"}), "returned"),
    "reject": (frozenset({"received", "in_review", "returned"}), "rejected"),
}


def decide(
    application_id: str,
    request: DecisionRequest,
    caller: Caller | None,
    deps: ApplicationDeps,
    now: datetime,
) -> Application:
    who = require(caller, Role.STAFF)
    record = load(deps.store, application_id)
    application = record.application
    if who.department != application.department:
        raise Forbidden()
    allowed, to = TRANSITIONS[request.decision]
    if application.status not in allowed:
        raise NotEditable()
    reason = (request.reason or "").strip()
    if request.decision in ("return", "reject") and not reason:
        raise InvalidInput([(["body", "reason"], "field_missing")])
    if request.decision == "approve" and application.typed_by == who.sub:
        raise FourEyes()
    if request.decision == "approve" and any(v.answer is None for v in record.verifications):
        raise VerificationPending()
    charges = application.charges
    refunds: list[Refund] = []
    if request.decision == "reject" and paid_yen(application) > 0:
        # A rejected application's fee goes back: owed with the decision, sent by the outbox worker (a retried
        # decision is refused by the version condition, and each refund's key makes Stripe refund it once).
        charges, refunds = refunds_owed(application, paid_yen(application), "rejected", now)
    changed = application.model_copy(
        update={
            "charges": charges,
            "refunds": [*application.refunds, *refunds],
            "status": to,
            "return_reason": reason or None,
            "decided_by": who.sub,
            "updated_at": now,
            "version": application.version + 1,
        }
    )
    changed, event = with_event(application, changed, now, form_of(application))
    deps.store.save(
        changed,
        audit_entry(who, request.decision, now),
        expected_version=application.version,
        event=event,
        effects=on_change(changed, now, refunds=refunds),
    )
    return changed


class CertificateRecordUnavailable(Conflict):
    """No single resident record is the applicant's (moved out, no account and no match): the counter issues it
    from the core system."""

    code = "certificate_record_unavailable"


def issue_certificate(
    application_id: str, caller: Caller | None, deps: ApplicationDeps, now: datetime
) -> tuple[Application, bytes]:
    """The certificate as the city's record states it, registered under a new issue number and code (a second
    printing is a new certificate: the first stays valid until revoked)."""
    from madoguchi.applications.certificates import Issue, certificate_pdf, resident_of

    who = require(caller, Role.STAFF)
    application = load(deps.store, application_id).application
    if who.department != application.department:
        raise Forbidden()
    procedure, found = procedure_form(deps.procedures, application.procedure)
    if not found.certificate:
        raise NotFound(application_id=application_id)
    if application.status not in ("approved", "issued"):
        raise NotEditable()
    if application.channel == "online" and paid_yen(application) < application.fee_yen:
        raise FeeUnpaid()  # counter and kiosk fees are taken at the till or the machine
    if deps.issuing is None:
        raise RuntimeError("issuing a certificate needs the resident records and the register")
    sources = deps.issuing
    resident_id = resident_of(application.owner, application.answers, sources.directory)
    record = sources.records.record(resident_id) if resident_id else None
    if record is None:
        raise CertificateRecordUnavailable()
    number = certificates.issue_number("A", sources.registry.next_serial("A", now.astimezone(TOKYO).year), now)
    code = certificates.new_code()
    page_url, link = certificate_links.verification_links(number, code)
    copies = application.answers.get("copies")
    issue = Issue(
        title=pick(procedure.name, "ja"),
        kind=application.procedure,
        number=number,
        code=code,
        issued_at=now,
        copies=copies if isinstance(copies, int) and 1 <= copies <= MAX_COPIES else 1,
        household=application.answers.get("subject") == "household",
        page_url=page_url,
        link=link,
    )
    pdf = certificate_pdf(issue, record)
    certificates.record_issue(
        sources.registry,
        number=number,
        code=code,
        kind=issue.kind,
        title=issue.title,
        department=application.department,
        channel=application.channel,
        issued_at=now,
        reference=f"application:{application.id}",
        pdf_sha256=hashlib.sha256(pdf).hexdigest(),
    )
    if application.status == "approved":
        changed = application.model_copy(
            update={"status": "issued", "updated_at": now, "version": application.version + 1}
        )
        changed, event = with_event(application, changed, now, found)
        deps.store.save(
            changed,
            audit_entry(who, "issued", now, number),
            expected_version=application.version,
            event=event,
            effects=on_change(changed, now),
        )
        application = changed
    else:
        deps.store.audit(application.id, audit_entry(who, "reissued_copy", now, number))
    return application, pdf

"""Staff decisions (review, approve, return, reject) and issuing certificates."""

from __future__ import annotations

from datetime import datetime

from madoguchi.applications.events import with_event
from madoguchi.applications.models import Application, DecisionRequest, Status
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
from madoguchi.applications.service.notices import notify
from madoguchi.applications.service.payment import refund_surplus
from madoguchi.shared.auth import Caller, Role, require
from madoguchi.shared.errors import Forbidden, InvalidInput, NotFound

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
    if request.decision == "reject" and paid_yen(application) > 0:
        # A rejected application's fee goes back (idempotent per charge: a retried decision refunds once).
        charges = refund_surplus(application, paid_yen(application), deps, "rejected")
    changed = application.model_copy(
        update={
            "charges": charges,
            "status": to,
            "return_reason": reason or None,
            "decided_by": who.sub,
            "updated_at": now,
            "version": application.version + 1,
        }
    )
    refunded = paid_yen(application) - paid_yen(changed)
    changed, event = with_event(application, changed, now, form_of(application))
    deps.store.save(changed, audit_entry(who, request.decision, now), expected_version=application.version, event=event)
    notify(deps.mailer, changed, refund_yen=max(refunded, 0))
    return changed


def issue_certificate(
    application_id: str, caller: Caller | None, deps: ApplicationDeps, now: datetime
) -> tuple[Application, bytes]:
    from madoguchi.applications.certificates import certificate_pdf

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
    pdf = certificate_pdf(application, procedure, found, now)
    if application.status == "approved":
        changed = application.model_copy(
            update={"status": "issued", "updated_at": now, "version": application.version + 1}
        )
        changed, event = with_event(application, changed, now, found)
        deps.store.save(changed, audit_entry(who, "issued", now), expected_version=application.version, event=event)
        notify(deps.mailer, changed)
        application = changed
    else:
        deps.store.audit(application.id, audit_entry(who, "reissued_copy", now))
    return application, pdf

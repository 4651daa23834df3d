"""Staff decisions (review, approve, return, reject) and issuing certificates."""

from __future__ import annotations

from datetime import datetime

from madoguchi.applications.models import Application, DecisionRequest, Status
from madoguchi.applications.service.access import (
    ApplicationDeps,
    NotEditable,
    VerificationPending,
    audit_entry,
    load,
    procedure_form,
)
from madoguchi.applications.service.notices import notify
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
    *,
    link_base: str,
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
    if request.decision == "approve" and any(v.answer is None for v in record.verifications):
        raise VerificationPending()
    changed = application.model_copy(
        update={
            "status": to,
            "return_reason": reason or None,
            "decided_by": who.sub,
            "updated_at": now,
            "version": application.version + 1,
        }
    )
    deps.store.save(changed, audit_entry(who, request.decision, now), expected_version=application.version)
    notify(deps.mailer, changed, link_base)
    return changed


def issue_certificate(
    application_id: str, caller: Caller | None, deps: ApplicationDeps, now: datetime, *, link_base: str
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
    pdf = certificate_pdf(application, procedure, found, now)
    if application.status == "approved":
        changed = application.model_copy(
            update={"status": "issued", "updated_at": now, "version": application.version + 1}
        )
        deps.store.save(changed, audit_entry(who, "issued", now), expected_version=application.version)
        notify(deps.mailer, changed, link_base)
        application = changed
    else:
        deps.store.audit(application.id, audit_entry(who, "reissued_copy", now))
    return application, pdf

"""Submitting: complete answers and checked attachments, then received, handed over (pre-registration or
proxy input to confirm) or on to the payment page."""

from __future__ import annotations

from datetime import datetime

from madoguchi.applications.models import Application, Status
from madoguchi.applications.service.access import (
    ApplicationDeps,
    AttachmentNotValid,
    NotEditable,
    audit_entry,
    current_attachments,
    editor,
    fee,
    load,
    problems,
    procedure_form,
)
from madoguchi.applications.service.notices import notify
from madoguchi.applications.service.payment import checkout
from madoguchi.applications.service.verifications import verifications_for
from madoguchi.cases.models import Verification
from madoguchi.shared.auth import Caller, Role, require
from madoguchi.shared.errors import Conflict, InvalidInput, present


def submit(
    application_id: str,
    caller: Caller | None,
    deps: ApplicationDeps,
    now: datetime,
    *,
    idempotency_key: str | None,
    return_url: str,
) -> Application:
    store = deps.store
    who = require(caller, Role.RESIDENT, Role.STAFF, Role.DEVICE)
    key = f"{who.sub}#submit#{idempotency_key}" if idempotency_key else None
    if key and store.by_idempotency(key) == application_id:
        return present(store.get(application_id))
    record = load(store, application_id)
    application = record.application
    editor(who, application)
    if application.status not in ("draft", "returned"):
        raise NotEditable()
    procedure, found = procedure_form(deps.procedures, application.procedure)
    problems(found, application.answers, complete=True)
    latest = current_attachments(record)
    missing = [
        (["body", "attachments", spec.id], "attachment_missing")
        for spec in found.attachments
        if spec.required and spec.id not in latest
    ]
    if any(x.status != "valid" for x in latest.values()):
        raise AttachmentNotValid()
    if missing:
        raise InvalidInput(missing)  # type: ignore[arg-type]
    amount = fee(procedure, found, application.answers)
    verifications: list[Verification] = []
    payment = application.payment
    status: Status
    if application.channel == "counter" and application.typed_by is None:
        status = "preregistered"  # handed over at the counter by QR code
    elif application.typed_by is not None and who.role is Role.STAFF and application.confirmed_by is None:
        status = "awaiting_confirmation"
    elif amount > 0 and application.channel == "online" and not (payment and payment.paid):
        status = "awaiting_payment"
        payment = checkout(deps.gateway(), application, procedure, amount, now, return_url, idempotency_key)
    else:
        status = "received"
        verifications = [] if application.status == "returned" else verifications_for(found, application, now)
    changed = application.model_copy(
        update={
            "status": status,
            "fee_yen": amount,
            "payment": payment,
            "submitted_at": now if status == "received" else application.submitted_at,
            "updated_at": now,
            "return_reason": None,
            "version": application.version + 1,
        }
    )
    try:
        store.save(
            changed,
            audit_entry(who, f"submitted:{status}", now),
            expected_version=application.version,
            idempotency=key,
            verifications=verifications,
            attachment_keys=[x.id for x in latest.values()],
        )
    except Conflict:
        if key and store.by_idempotency(key) == application_id:
            return present(store.get(application_id))
        # An attachment changed under us, or another submit won: tell which.
        fresh = load(store, application_id)
        if any(x.status != "valid" for x in current_attachments(fresh).values()):
            raise AttachmentNotValid() from None
        raise
    if status == "received":
        for x in latest.values():
            deps.attachments.mark_referenced(x.key)
    notify(deps.mailer, changed, return_url)
    return changed

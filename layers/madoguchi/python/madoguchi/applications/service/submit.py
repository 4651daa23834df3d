"""Submitting: complete answers and checked attachments, then received, handed over (pre-registration or
proxy input to confirm) or on to the payment page."""

from __future__ import annotations

from datetime import datetime

from madoguchi.applications.events import with_event
from madoguchi.applications.models import Application, Refund, Status, SubmitRequest
from madoguchi.applications.service.access import (
    ApplicationDeps,
    AttachmentNotValid,
    NotEditable,
    audit_entry,
    current_attachments,
    editor,
    fee,
    load,
    paid_yen,
    problems,
    procedure_form,
)
from madoguchi.applications.service.owed import on_change
from madoguchi.applications.service.payment import checkout, close_checkout, refunds_owed
from madoguchi.applications.service.verifications import verifications_for
from madoguchi.cases.models import Verification
from madoguchi.shared.auth import Caller, Role, require
from madoguchi.shared.errors import Conflict, InvalidInput, present
from madoguchi.shared.public_origin import is_site_url, site_link
from madoguchi.shared.retries import retry_key


def return_url_of(request: SubmitRequest) -> str:
    """Where the payment page sends the resident back: a page of this site only (exact origin after parsing,
    so `https://site@evil.example/` is refused), by default the application page."""
    if request.return_url is None:
        return site_link("/apply/")
    if not is_site_url(request.return_url):
        raise InvalidInput([(["body", "return_url"], "field_invalid")])
    return request.return_url


def submit(
    application_id: str,
    request: SubmitRequest,
    caller: Caller | None,
    deps: ApplicationDeps,
    now: datetime,
    *,
    idempotency_key: str | None = None,
) -> Application:
    store = deps.store
    who = require(caller, Role.RESIDENT, Role.STAFF, Role.DEVICE)
    return_url = return_url_of(request)
    key = retry_key(who.sub, "submit", idempotency_key)
    if key and store.by_idempotency(key) == application_id:
        return present(store.get(application_id))
    record = load(store, application_id)
    application = record.application
    editor(who, application)
    if application.status not in ("draft", "returned", "awaiting_payment"):
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
    expected = application.version
    application = close_checkout(application, deps, now)  # a new amount or a fresh checkout replaces the old
    amount = fee(procedure, found, application.answers)
    # Online fees are paid through the gateway: what is due is the fee less what was paid before (a returned
    # application resubmitted with more copies pays the difference; with fewer, the surplus is refunded).
    due = amount - paid_yen(application) if application.channel == "online" else 0
    verifications: list[Verification] = []
    payment = application.payment
    charges = application.charges
    refunds: list[Refund] = []
    status: Status
    if application.channel == "counter" and application.typed_by is None:
        status = "preregistered"  # handed over at the counter by QR code
    elif application.typed_by is not None and who.role is Role.STAFF and application.confirmed_by is None:
        status = "awaiting_confirmation"
    elif due > 0:
        status = "awaiting_payment"
        payment = checkout(deps.gateway(), application, procedure, due, now, return_url, idempotency_key)
    else:
        status = "received"
        # Asked again on every submission: the answers they were asked about may have changed.
        verifications = verifications_for(found, application, now)
        if due < 0:
            charges, refunds = refunds_owed(application, -due, "surplus", now)
    changed = application.model_copy(
        update={
            "status": status,
            "fee_yen": amount,
            "payment": payment,
            "charges": charges,
            "refunds": [*application.refunds, *refunds],
            "submitted_at": now if status == "received" else application.submitted_at,
            "updated_at": now,
            "return_reason": None,
            "version": expected + 1,
        }
    )
    changed, event = with_event(application, changed, now)
    try:
        store.save(
            changed,
            audit_entry(who, f"submitted:{status}", now),
            expected_version=expected,
            idempotency=key,
            verifications=verifications,
            attachment_keys=[x.id for x in latest.values()],
            event=event,
            # received: its files tagged; a lower fee: the surplus refunded; and the resident told, by the worker
            effects=on_change(changed, now, refunds=refunds),
        )
    except Conflict:
        if key and store.by_idempotency(key) == application_id:
            return present(store.get(application_id))
        # An attachment changed under us, or another submit won: tell which.
        fresh = load(store, application_id)
        if any(x.status != "valid" for x in current_attachments(fresh).values()):
            raise AttachmentNotValid() from None
        raise
    return changed

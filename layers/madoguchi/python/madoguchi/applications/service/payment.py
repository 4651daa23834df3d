"""Application fees: the checkout, and the one transition from awaiting_payment to received, whichever path
(the resident coming back, the webhook, reconciliation) learns of the payment first."""

from __future__ import annotations

from datetime import datetime, timedelta

from madoguchi.applications.models import Application, AuditEntry, Payment
from madoguchi.applications.service.access import (
    CHECKOUT_MINUTES,
    REFERENCE_PREFIX,
    ApplicationDeps,
    audit_entry,
    current_attachments,
    form_of,
    load,
)
from madoguchi.applications.service.notices import notify
from madoguchi.applications.service.verifications import verifications_for
from madoguchi.applications.store import ApplicationRecord
from madoguchi.payments.store import PaymentEvent, PaymentGateway, UnknownCheckout
from madoguchi.procedures.models import Procedure
from madoguchi.shared.auth import Caller, Role, require
from madoguchi.shared.errors import Conflict, NotFound, present
from madoguchi.shared.i18n import pick


def checkout(
    payments: PaymentGateway,
    application: Application,
    procedure: Procedure,
    fee: int,
    now: datetime,
    return_url: str,
    idempotency_key: str | None,
) -> Payment:
    back = f"{return_url}{'&' if '?' in return_url else '?'}id={application.id}"
    session = payments.create_checkout(
        amount=fee,
        reference=f"{REFERENCE_PREFIX}{application.id}",
        purpose="application_fee",
        description=f"{pick(procedure.name, 'ja')} {application.code}",
        success_url=f"{back}&paid=1",
        cancel_url=back,
        expires_at=now + timedelta(minutes=CHECKOUT_MINUTES),
        idempotency_key=f"application-{application.id}-{application.version}-{idempotency_key or ''}",
        locale=application.lang if application.lang in ("ja", "en", "pt", "vi", "zh") else "ja",
    )
    return Payment(session_id=session.session_id, url=session.url, amount_yen=fee)


def confirm_payment(
    application_id: str, caller: Caller | None, deps: ApplicationDeps, now: datetime, *, link_base: str
) -> Application:
    """After the payment page: ask the gateway (never trust the browser) and receive the application if paid."""
    who = require(caller, Role.RESIDENT)
    record = load(deps.store, application_id)
    application = record.application
    if application.owner != who.sub:
        raise NotFound(application_id=application_id)
    if application.status != "awaiting_payment" or application.payment is None:
        return application
    state = deps.gateway().checkout_state(application.payment.session_id)
    if not state.paid:
        return application
    return _receive_paid(record, audit_entry(who, "paid", now), deps, now, link_base)


def record_payment(application_id: str, deps: ApplicationDeps, now: datetime, *, link_base: str) -> None:
    """A paid checkout of `application:<id>` learned from the gateway (webhook or reconciliation)."""
    record = deps.store.record(application_id)
    if record is None or record.application.status != "awaiting_payment" or record.application.payment is None:
        return
    audit = AuditEntry(at=now, actor="payments", role="system", action="paid")
    _receive_paid(record, audit, deps, now, link_base)


def _receive_paid(
    record: ApplicationRecord, audit: AuditEntry, deps: ApplicationDeps, now: datetime, link_base: str
) -> Application:
    """The one transition from awaiting_payment to received, whichever path learned of the payment first."""
    application = record.application
    if application.payment is None:
        raise Conflict(application_id=application.id)
    found = form_of(application)
    changed = application.model_copy(
        update={
            "status": "received",
            "payment": application.payment.model_copy(update={"paid": True}),
            "submitted_at": now,
            "updated_at": now,
            "version": application.version + 1,
        }
    )
    try:
        deps.store.save(
            changed,
            audit,
            expected_version=application.version,
            verifications=verifications_for(found, application, now),
        )
    except Conflict:  # another path received it first
        return present(deps.store.get(application.id))
    for x in current_attachments(record).values():
        deps.attachments.mark_referenced(x.key)
    notify(deps.mailer, changed, link_base)
    return changed


def handle_payment_event(event: PaymentEvent, deps: ApplicationDeps, now: datetime, *, link_base: str) -> str:
    """A verified webhook event for an application fee: the checkout's state is read back from the gateway (the
    event only says that something happened), so a resident who pays and never returns is still received."""
    if not event.type.startswith("checkout.session."):
        return "ignored"
    session_id = str(event.object.get("id", ""))
    if not session_id:
        return "ignored"
    try:
        state = deps.gateway().checkout_state(session_id)
    except UnknownCheckout:
        return "ignored"
    if not state.reference.startswith(REFERENCE_PREFIX):
        return "ignored"
    if not state.paid:
        return "unchanged"
    record_payment(state.reference.removeprefix(REFERENCE_PREFIX), deps, now, link_base=link_base)
    return "received"


def reconcile_payments(
    deps: ApplicationDeps, now: datetime, *, after_minutes: int, link_base: str, limit: int = 100
) -> dict[str, int]:
    """Scheduled: ask the gateway about each fee still unpaid after `after_minutes`, so a lost webhook never
    leaves a paid application waiting until its owner comes back."""
    counts = {"checked": 0, "received": 0}
    gateway = deps.gateway()
    for application in deps.store.awaiting_payment(now - timedelta(minutes=after_minutes), limit):
        if application.payment is None:
            continue
        counts["checked"] += 1
        try:
            state = gateway.checkout_state(application.payment.session_id)
        except UnknownCheckout:
            continue
        if state.paid and state.reference == f"{REFERENCE_PREFIX}{application.id}":
            record_payment(application.id, deps, now, link_base=link_base)
            counts["received"] += 1
    return counts

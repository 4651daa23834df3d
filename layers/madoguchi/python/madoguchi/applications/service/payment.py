"""Application fees: the checkout, and the one transition from awaiting_payment to received, whichever path
(the resident coming back, the webhook, reconciliation) learns of the payment first."""

from __future__ import annotations

from datetime import datetime, timedelta
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from madoguchi.applications.events import payment_event, with_event
from madoguchi.applications.models import Application, AuditEntry, Charge, Payment, Refund
from madoguchi.applications.service.access import (
    CHECKOUT_MINUTES,
    REFERENCE_PREFIX,
    ApplicationDeps,
    NotEditable,
    audit_entry,
    form_of,
    load,
)
from madoguchi.applications.service.owed import on_change
from madoguchi.applications.service.verifications import verifications_for
from madoguchi.applications.store import ApplicationRecord
from madoguchi.payments.store import CheckoutState, PaymentEvent, PaymentGateway, UnknownCheckout
from madoguchi.procedures.models import Procedure
from madoguchi.shared.auth import Caller, Role, require
from madoguchi.shared.errors import Conflict, NotFound, present
from madoguchi.shared.i18n import negotiate, pick


def with_query(url: str, **params: str) -> str:
    """The URL with these query parameters added (before any fragment)."""
    parts = urlsplit(url)
    query = urlencode([*parse_qsl(parts.query, keep_blank_values=True), *params.items()])
    return urlunsplit(parts._replace(query=query))


def checkout(
    payments: PaymentGateway,
    application: Application,
    procedure: Procedure,
    fee: int,
    now: datetime,
    return_url: str,
    idempotency_key: str | None,
) -> Payment:
    back = with_query(return_url, id=application.id)
    session = payments.create_checkout(
        amount=fee,
        reference=f"{REFERENCE_PREFIX}{application.id}",
        purpose="application_fee",
        description=f"{pick(procedure.name, negotiate(application.lang, None))} {application.code}",
        success_url=with_query(back, paid="1"),
        cancel_url=back,
        expires_at=now + timedelta(minutes=CHECKOUT_MINUTES),
        idempotency_key=f"application-{application.id}-{application.version}-{idempotency_key or ''}",
        locale=application.lang if application.lang in ("ja", "en", "pt", "vi", "zh") else "ja",
    )
    return Payment(session_id=session.session_id, url=session.url, amount_yen=fee)


RECONCILE_PAGE = 100
RECONCILE_PAGES = 20  # per run: well inside the function's timeout; the next run goes on from the start


def confirm_payment(application_id: str, caller: Caller | None, deps: ApplicationDeps, now: datetime) -> Application:
    """After the payment page: ask the gateway (never trust the browser) and receive the application if paid;
    a checkout that expired unpaid gives the application back to the resident to change or pay afresh."""
    who = require(caller, Role.RESIDENT)
    record = load(deps.store, application_id)
    application = record.application
    if application.owner != who.sub:
        raise NotFound(application_id=application_id)
    if application.status != "awaiting_payment" or application.payment is None:
        return application
    state = deps.gateway().checkout_state(application.payment.session_id)
    if state.paid:
        return _receive_paid(record, state, audit_entry(who, "paid", now), deps, now)
    if state.status == "expired":
        return _reopen(
            application, AuditEntry(at=now, actor=who.sub, role="resident", action="checkout_expired"), deps, now
        )
    return application


def reopened(application: Application, now: datetime) -> Application:
    """The application as it was before it went to the payment page (draft, or returned when resubmitted)."""
    return application.model_copy(
        update={
            "status": "returned" if application.submitted_at else "draft",
            "payment": None,
            "updated_at": now,
            "version": application.version + 1,
        }
    )


def _reopen(application: Application, audit: AuditEntry, deps: ApplicationDeps, now: datetime) -> Application:
    """The checkout expired unpaid: the application goes back to the resident, and the fee counts as failed."""
    changed = reopened(application, now)
    failed = payment_event(changed, "payment_failed", now)
    try:
        deps.store.save(changed, audit, expected_version=application.version, payment_event=failed)
    except Conflict:  # received or reopened by another path meanwhile
        return present(deps.store.get(application.id))
    return changed


def close_checkout(application: Application, deps: ApplicationDeps, now: datetime) -> Application:
    """Before an application waiting for its fee is changed or submitted again: close its checkout so the old
    amount can no longer be paid. Paid meanwhile: it is received, and the change is refused."""
    if application.status != "awaiting_payment" or application.payment is None:
        return application
    state = deps.gateway().expire_checkout(application.payment.session_id)
    if state.paid:
        record_payment(state, deps, now)
        raise NotEditable()
    return reopened(application, now)


def record_payment(state: CheckoutState, deps: ApplicationDeps, now: datetime) -> None:
    """A paid checkout of `application:<id>` learned from the gateway (webhook or reconciliation)."""
    record = deps.store.record(state.reference.removeprefix(REFERENCE_PREFIX))
    if record is None or record.application.status != "awaiting_payment" or record.application.payment is None:
        return
    if record.application.payment.session_id != state.session_id:
        return  # an older checkout: closed before a new one was made, never received twice
    audit = AuditEntry(at=now, actor="payments", role="system", action="paid")
    _receive_paid(record, state, audit, deps, now)


def _receive_paid(
    record: ApplicationRecord, state: CheckoutState, audit: AuditEntry, deps: ApplicationDeps, now: datetime
) -> Application:
    """The one transition from awaiting_payment to received, whichever path learned of the payment first."""
    application = record.application
    if application.payment is None:
        raise Conflict(application_id=application.id)
    found = form_of(application)
    charge = Charge(
        session_id=state.session_id, payment_intent_id=state.payment_intent_id, amount_yen=state.amount, paid_at=now
    )
    changed = application.model_copy(
        update={
            "status": "received",
            "payment": application.payment.model_copy(update={"paid": True}),
            "charges": [*application.charges, charge],
            "submitted_at": now,
            "updated_at": now,
            "version": application.version + 1,
        }
    )
    changed, event = with_event(application, changed, now)
    try:
        deps.store.save(
            changed,
            audit,
            expected_version=application.version,
            verifications=verifications_for(found, application, now),
            event=event,
            payment_event=payment_event(changed, "payment_succeeded", now),
            effects=on_change(changed, now, paid_yen=state.amount),  # its files tagged, the resident told
        )
    except Conflict:  # another path received it first
        return present(deps.store.get(application.id))
    return changed


def refunds_owed(
    application: Application, surplus: int, purpose: str, now: datetime
) -> tuple[list[Charge], list[Refund]]:
    """Decide the refund of `surplus` yen, from the latest charges back: the charges as refunded and the refunds
    the change owes (sent by the outbox worker). Each key names the application, the charge, the purpose and the
    version decided, so Stripe refunds each once however often the worker tries."""
    charges = list(application.charges)
    refunds: list[Refund] = []
    left = surplus
    for i in range(len(charges) - 1, -1, -1):
        charge = charges[i]
        refundable = charge.amount_yen - charge.refunded_yen
        if left <= 0 or refundable <= 0 or charge.payment_intent_id is None:
            continue
        amount = min(left, refundable)
        refunds.append(
            Refund(
                key=f"application-{application.id}-{charge.session_id}-{purpose}-v{application.version}",
                payment_intent_id=charge.payment_intent_id,
                amount_yen=amount,
                decided_at=now,
            )
        )
        charges[i] = charge.model_copy(update={"refunded_yen": charge.refunded_yen + amount})
        left -= amount
    return charges, refunds


def handle_payment_event(event: PaymentEvent, deps: ApplicationDeps, now: datetime) -> str:
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
    record_payment(state, deps, now)
    return "received"


def reconcile_payments(
    deps: ApplicationDeps, now: datetime, *, after_minutes: int, page: int = RECONCILE_PAGE
) -> dict[str, int]:
    """Scheduled: ask the gateway about each fee still unpaid after `after_minutes`, page after page, so a lost
    webhook never leaves a paid application waiting, and an expired checkout gives the application back."""
    counts = {"checked": 0, "received": 0, "reopened": 0}
    gateway = deps.gateway()
    cursor: str | None = None
    for _ in range(RECONCILE_PAGES):
        waiting, cursor = deps.store.awaiting_payment(now - timedelta(minutes=after_minutes), page, cursor)
        for application in waiting:
            if application.payment is None:
                continue
            counts["checked"] += 1
            try:
                state = gateway.checkout_state(application.payment.session_id)
            except UnknownCheckout:
                continue
            if state.paid and state.reference == f"{REFERENCE_PREFIX}{application.id}":
                record_payment(state, deps, now)
                counts["received"] += 1
            elif state.status == "expired":
                audit = AuditEntry(at=now, actor="payments", role="system", action="checkout_expired")
                _reopen(application, audit, deps, now)
                counts["reopened"] += 1
        if cursor is None:
            break
    return counts

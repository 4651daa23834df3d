"""The applications' effects, as the outbox worker carries them out (madoguchi.effects.service): each raises while
it is not done (S3, Stripe or SES failed: tried again after a backoff) and returns once done or moot (the
application is gone, or has no address). Each may run twice (the stream redelivers, or the stream and the schedule
meet): a tag set twice is one tag, a refund sent twice under its key is one refund at Stripe, and an e-mail is
sent only from the effect's own try. Nothing personal is in a payload: the address is read from the application
when the e-mail is sent."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import partial

from madoguchi.applications.models import AuditEntry
from madoguchi.applications.service.access import REFERENCE_PREFIX, current_attachments
from madoguchi.applications.service.notices import STATUS_MESSAGES, compose
from madoguchi.applications.service.owed import NOTIFY, REFUND, TAG_FILES
from madoguchi.applications.store import ApplicationStore, Attachments, Mailer
from madoguchi.effects.models import Effect
from madoguchi.effects.service import Handler
from madoguchi.payments.store import PaymentGateway
from madoguchi.shared.errors import Conflict

MARK_TRIES = 3  # a staff change between reading and marking a refund sent: read again


def handlers(
    store: ApplicationStore,
    attachments: Callable[[], Attachments],
    mailer: Callable[[], Mailer],
    payments: Callable[[], PaymentGateway],
    clock: Callable[[], datetime],
    *,
    base_url: Callable[[], str],
) -> dict[str, Handler]:
    """The applications' effect kinds, with the adapters each needs (built on first use); `base_url` is the
    site's origin (shared.public_origin.site_origin), for the e-mail's link."""
    return {
        TAG_FILES: partial(tag_files, store, attachments),
        REFUND: partial(send_refunds, store, payments, clock),
        NOTIFY: partial(send_notice, store, mailer, base_url),
    }


def tag_files(store: ApplicationStore, attachments: Callable[[], Attachments], effect: Effect) -> None:
    """Tag the received application's current files as kept (StorageUnavailable while S3 fails)."""
    record = store.record(str(effect.payload["application_id"]))
    if record is None:
        return
    files = attachments()
    for attachment in current_attachments(record).values():
        files.mark_referenced(attachment.key)


def send_refunds(
    store: ApplicationStore, payments: Callable[[], PaymentGateway], clock: Callable[[], datetime], effect: Effect
) -> None:
    """Send each refund the change decided under its own key, then mark them sent (conditional on the version
    read: a change meanwhile is read again; Stripe answers a resent key with the refund it made)."""
    application_id = str(effect.payload["application_id"])
    keys = {str(k) for k in effect.payload["refunds"]}
    for _ in range(MARK_TRIES):
        application = store.get(application_id)
        if application is None:
            return
        owed = [r for r in application.refunds if r.key in keys and r.sent_at is None]
        if not owed:
            return  # sent and marked by an earlier try
        gateway = payments()
        for r in owed:
            gateway.refund(r.payment_intent_id, r.amount_yen, f"{REFERENCE_PREFIX}{application_id}", r.key)
        now = clock()
        sent = application.model_copy(
            update={
                "refunds": [r.model_copy(update={"sent_at": now}) if r in owed else r for r in application.refunds],
                "version": application.version + 1,
            }
        )
        audit = AuditEntry(
            at=now, actor="payments", role="system", action="refund_sent", detail=str(sum(r.amount_yen for r in owed))
        )
        try:
            store.save(sent, audit, expected_version=application.version)
            return
        except Conflict:
            continue
    raise Conflict(application_id=application_id)  # still changing: the next try resends under the same keys


def send_notice(
    store: ApplicationStore, mailer: Callable[[], Mailer], base_url: Callable[[], str], effect: Effect
) -> None:
    """E-mail the status the change announced to the address the application holds now."""
    application = store.get(str(effect.payload["application_id"]))
    status = str(effect.payload["status"])
    if application is None or not application.email or status not in STATUS_MESSAGES:
        return
    subject, body = compose(
        application,
        status,
        base_url(),
        paid_yen=int(effect.payload.get("paid_yen", 0)),
        refund_yen=int(effect.payload.get("refund_yen", 0)),
    )
    mailer().send(application.email, subject, body)

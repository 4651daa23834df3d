"""The effects an application's change owes, written in the change's own transaction (docs/decisions.md 76): its
files tagged as kept, a refund sent, a status e-mail. The outbox worker carries them out
(madoguchi.applications.effects). Ids name the application and its version after the change, so a retried
request writes the same item, and payloads carry ids and amounts only: never an address or the form's data."""

from __future__ import annotations

from datetime import datetime

from madoguchi.applications.models import Application, Refund
from madoguchi.effects.models import Effect

TAG_FILES = "applications.tag_files"
REFUND = "applications.refund"
NOTIFY = "applications.notify"

# Statuses a resident is e-mailed about (a draft is not news).
ANNOUNCED = frozenset(
    {
        "preregistered",
        "awaiting_confirmation",
        "awaiting_payment",
        "received",
        "in_review",
        "returned",
        "approved",
        "issued",
        "rejected",
    }
)


def tag_files(application: Application, now: datetime) -> Effect:
    """Received: its files are kept (untagged ones expire under the bucket's lifecycle rule)."""
    return Effect(
        id=f"applications:{application.id}:tag_files:v{application.version}",
        kind=TAG_FILES,
        payload={"application_id": application.id, "version": application.version},
        created_at=now,
    )


def refund(application: Application, refunds: list[Refund], now: datetime) -> Effect:
    """The refunds this change decided, each sent under its own idempotency key."""
    return Effect(
        id=f"applications:{application.id}:refund:v{application.version}",
        kind=REFUND,
        payload={
            "application_id": application.id,
            "version": application.version,
            "refunds": [r.key for r in refunds],
            "amount_yen": sum(r.amount_yen for r in refunds),
        },
        created_at=now,
    )


def notice(application: Application, now: datetime, *, paid_yen: int = 0, refund_yen: int = 0) -> Effect | None:
    """The status e-mail of this change, if the status is news and the application has an address (read again
    from the record when the e-mail is sent)."""
    if application.status not in ANNOUNCED or not application.email:
        return None
    return Effect(
        id=f"applications:{application.id}:notify:v{application.version}",
        kind=NOTIFY,
        payload={
            "application_id": application.id,
            "version": application.version,
            "status": application.status,
            "paid_yen": paid_yen,
            "refund_yen": refund_yen,
        },
        created_at=now,
    )


def on_change(
    application: Application, now: datetime, *, paid_yen: int = 0, refunds: list[Refund] | None = None
) -> list[Effect]:
    """What a change of status owes: tags when it is received, the refunds it decided, and its e-mail."""
    owed: list[Effect] = []
    if application.status == "received":
        owed.append(tag_files(application, now))
    if refunds:
        owed.append(refund(application, refunds, now))
    mail = notice(application, now, paid_yen=paid_yen, refund_yen=sum(r.amount_yen for r in refunds or []))
    if mail is not None:
        owed.append(mail)
    return owed

"""The domain event of an application's change of status (docs/metrics.md), written by the store in the same
transaction as the change (the transactional outbox, madoguchi.shared.outbox).

| change of status                                        | event       | clocks it carries                        |
|---------------------------------------------------------|-------------|------------------------------------------|
| → received, the first time (submitted, paid, confirmed, accepted at the counter) | `received` | starts lead time |
| → in_review                                             | none        | starts handling (`review_started_at`)    |
| → approved (no certificate) or approved → issued        | `completed` | receipt and review start                 |
| → returned / → rejected                                 | `returned` / `rejected` | receipt                      |

A fee (Stripe Checkout) adds a payment event to the transaction of the change that learns its outcome, whichever
path learns it first (the resident coming back, the webhook, the reconciler; the version condition lets one
write): `payment_succeeded` with awaiting_payment → received, `payment_failed` when the checkout expired unpaid
and the application goes back to the resident (awaiting_payment → draft / returned). Id
`applications:<id>:<version after the change>:<type>`.

Channel: the application's, except that a counter application typed by staff of a front counter (the one-stop
counter `onestop`, the district centres `chiku`: `typed_at`) counts on `onestop`, as the cases received there.

A returned application submitted again is not a new receipt: it keeps its first `received_at`, so its lead
time includes the correction. The event id is `applications:<id>:<version after the change>`: a retried
request that wrote nothing writes no event, and one that wrote is refused by the version condition.
"""

from __future__ import annotations

from datetime import datetime

from madoguchi.applications.forms import Form
from madoguchi.applications.models import Application
from madoguchi.cases.models import FRONT_COUNTERS
from madoguchi.metrics.models import Channel, DomainEvent, EventType


def metrics_channel(application: Application) -> Channel:
    """The channel the application counts on (its own, or `onestop` when typed at a front counter)."""
    if application.channel == "counter" and application.typed_at in FRONT_COUNTERS:
        return "onestop"
    return application.channel


def with_event(
    before: Application, after: Application, now: datetime, form: Form | None = None
) -> tuple[Application, DomainEvent | None]:
    """`after` with the clock it starts stamped on it, and the event its change of status makes (if any).
    `form` tells whether completion is the certificate's issue (a certificate procedure) or the approval."""
    if after.status == before.status:
        return after, None
    kind: EventType | None = None
    if after.status == "received":
        if before.received_at is not None:
            return after, None  # resubmitted after a return: the first receipt still counts
        after = after.model_copy(update={"received_at": now})
        kind = "received"
    elif after.status == "in_review":
        return after.model_copy(update={"review_started_at": now}), None
    elif after.status == "issued" or (after.status == "approved" and not (form and form.certificate)):
        kind = "completed"
    elif after.status in ("returned", "rejected") and before.status in ("received", "in_review", "returned"):
        kind = "returned" if after.status == "returned" else "rejected"
    if kind is None:
        return after, None
    received_at = None if kind == "received" else (after.received_at or after.submitted_at)
    event = DomainEvent(
        id=f"applications:{after.id}:{after.version}",
        type=kind,
        context="applications",
        aggregate_id=after.id,
        procedure_id=after.procedure,
        channel=metrics_channel(after),
        occurred_at=now,
        received_at=received_at,
        handling_started_at=after.review_started_at if kind == "completed" else None,
    )
    return after, event


def payment_event(after: Application, kind: EventType, now: datetime) -> DomainEvent:
    """`payment_succeeded` or `payment_failed` of the application's fee, written with the change `after`."""
    return DomainEvent(
        id=f"applications:{after.id}:{after.version}:{kind}",
        type=kind,
        context="applications",
        aggregate_id=after.id,
        procedure_id=after.procedure,
        channel=metrics_channel(after),
        occurred_at=now,
    )

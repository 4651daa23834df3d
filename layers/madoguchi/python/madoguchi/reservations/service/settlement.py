"""Paying for a hold (Stripe Checkout) and bringing reservations in line with what Stripe says: webhook events,
reconciliation of lost webhooks, expiry of holds (with their checkouts closed first)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from aws_lambda_powertools import Logger

from madoguchi.payments.store import CheckoutState, PaymentEvent, UnknownCheckout
from madoguchi.reservations import notices
from madoguchi.reservations.events import reservation_events
from madoguchi.reservations.models import (
    CheckoutRequest,
    CheckoutResponse,
    NotHeld,
    PaymentStatus,
    Reservation,
    Status,
    reference,
)
from madoguchi.reservations.refunds import refund_owed
from madoguchi.reservations.service.common import (
    CHECKOUT_MINUTES,
    PURPOSE,
    ReservationDeps,
    facility_or_404,
    limit_rate,
    owned,
    today,
)
from madoguchi.reservations.store import ReservationStore
from madoguchi.shared.auth import Caller, Role, require
from madoguchi.shared.errors import Conflict, InvalidInput
from madoguchi.shared.i18n import Lang, pick
from madoguchi.shared.outbox import Outboxed
from madoguchi.shared.public_origin import is_site_url, site_link

logger = Logger(child=True)


def checkout(
    reservation_id: str,
    body: CheckoutRequest,
    caller: Caller | None,
    deps: ReservationDeps,
    now: datetime,
    *,
    lang: Lang,
) -> CheckoutResponse:
    resident = require(caller, Role.RESIDENT)
    store = deps.store
    reservation = owned(store, reservation_id, resident)
    if reservation.status is not Status.HELD or reservation.expires_at <= now:
        raise NotHeld()
    if reservation.amount == 0:
        confirmed = reservation.model_copy(
            update={"status": Status.CONFIRMED, "payment_status": PaymentStatus.FREE, "paid_at": now, "lang": lang}
        )
        events: list[Outboxed] = [*reservation_events(reservation, confirmed, now), notices.confirmed(confirmed, now)]
        if not store.confirm(confirmed, now, events):
            raise NotHeld()
        return CheckoutResponse(reservation=confirmed, checkout_url=None)
    if reservation.checkout_session_id and reservation.checkout_url:
        return CheckoutResponse(reservation=reservation, checkout_url=reservation.checkout_url)
    limit_rate(resident, deps, now)
    back = _return_url(body.return_url)
    facility = facility_or_404(store, reservation.facility_id)
    sep = "&" if "?" in back else "?"
    session = deps.payments.create_checkout(
        amount=reservation.amount,
        reference=reference(reservation.id),
        purpose=PURPOSE,
        description=f"{pick(facility.name, lang)} {reservation.date.isoformat()} ({len(reservation.slots)})",
        success_url=f"{back}{sep}paid={reservation.id}",
        cancel_url=f"{back}{sep}unpaid={reservation.id}",
        expires_at=now + timedelta(minutes=CHECKOUT_MINUTES),
        idempotency_key=f"checkout-{reservation.id}",
        locale=lang,
    )
    updated = reservation.model_copy(
        update={
            "checkout_session_id": session.session_id,
            "checkout_url": session.url,
            "checkout_started_at": now,
            "payment_status": PaymentStatus.PENDING,
            "lang": lang,
        }
    )
    store.update(updated, Status.HELD.value)
    return CheckoutResponse(reservation=updated, checkout_url=session.url)


def _return_url(return_url: str | None) -> str:
    """Where Stripe sends the resident back: a page of this site only (a path, or a URL of the site's exact
    origin after parsing; `http://<site>@evil.example/` has another host)."""
    wanted = return_url or "/reservations/"
    try:
        back = site_link(wanted) if wanted.startswith("/") else wanted
    except ValueError:
        back = ""  # "//host" is another site
    if not is_site_url(back):
        raise InvalidInput([(["body", "return_url"], "not_this_site")])
    return back


def with_refund_due(reservation: Reservation, amount: int, key: str) -> Reservation:
    """The reservation carrying a refund still to be sent: written with the cancellation itself, together with the
    effect that sends it (`refund_owed`), so a failing or hanging Stripe cannot lose it."""
    if amount <= 0 or not reservation.payment_intent_id:
        return reservation
    return reservation.model_copy(update={"refund_pending": amount, "refund_key": key})


def _update_if(
    store: ReservationStore, reservation: Reservation, expected: str, events: Sequence[Outboxed] = ()
) -> bool:
    try:
        store.update(reservation, expected, events)
    except Conflict:
        return False
    return True


def settle(state: CheckoutState, deps: ReservationDeps, now: datetime) -> Reservation | None:
    """Bring a reservation in line with what Stripe says about its checkout. Safe to call any number of times,
    in any order, from the webhook, the reconciler or the sweeper: only a paid checkout changes anything."""
    store = deps.store
    if not state.reference.startswith("reservation:") or not state.paid:
        return None
    reservation = store.get(state.reference.split(":", 1)[1])
    if reservation is None:
        logger.warning("Paid checkout for an unknown reservation", extra={"session": state.session_id})
        return None
    for _ in range(3):  # a concurrent sweep or cancel may change the status under us: read again and retry
        if reservation.payment_intent_id == state.payment_intent_id and reservation.payment_status in (
            PaymentStatus.PAID,
            PaymentStatus.REFUNDED,
            PaymentStatus.PARTIALLY_REFUNDED,
        ):
            return reservation  # settled already
        paid = reservation.model_copy(
            update={
                "payment_status": PaymentStatus.PAID,
                "payment_intent_id": state.payment_intent_id,
                "paid_at": now,
                "receipt_number": f"R{today(now).strftime('%Y%m%d')}-{reservation.id[:8].upper()}",
                "status": Status.CONFIRMED,
            }
        )
        owed: list[Outboxed] = [*reservation_events(reservation, paid, now), notices.confirmed(paid, now)]
        if reservation.status is Status.HELD:
            if store.confirm(paid, now, owed):
                return paid
            current = store.get(reservation.id)
            if current is not None and current != reservation:
                reservation = current
                continue
            # Still ours on paper, but the hold ran out and a slot went to someone else: refund.
        elif reservation.status is Status.EXPIRED:
            if store.reacquire(paid, now, owed):
                # Paid after the hold ran out, and the slots were still free: the booking is honoured.
                logger.info("Late payment honoured", extra={"reservation": reservation.id})
                return paid
        elif reservation.status is Status.CONFIRMED:
            logger.warning("Second payment for a confirmed reservation", extra={"reservation": reservation.id})
            return reservation
        refunded = with_refund_due(
            reservation.model_copy(
                update={
                    "status": Status.EXPIRED if reservation.status is Status.HELD else reservation.status,
                    "payment_status": PaymentStatus.REFUNDED,
                    "payment_intent_id": state.payment_intent_id,
                    "paid_at": now,
                    "refunded_amount": state.amount,
                    "cancelled_at": reservation.cancelled_at or now,
                    "cancel_reason": reservation.cancel_reason or "late_payment",
                }
            ),
            state.amount,
            f"late-{reservation.id}",
        )
        events: list[Outboxed] = [
            *reservation_events(reservation, refunded, now),
            *refund_owed(refunded, now),
            notices.cancelled(refunded, now, refund=state.amount, paid=True, closure=False),
        ]
        written = (
            store.release(refunded, Status.HELD.value, events=events)
            if reservation.status is Status.HELD
            else _update_if(store, refunded, reservation.status.value, events)
        )
        if not written:
            reservation = store.get(reservation.id) or reservation
            continue
        logger.info("Late payment refunded", extra={"reservation": reservation.id})
        return refunded
    logger.warning("Could not settle a paid checkout", extra={"reservation": reservation.id})
    return None


def handle_event(event: PaymentEvent, deps: ReservationDeps, now: datetime) -> str:
    """A verified webhook event. The event only says *that* something happened: the checkout's current state
    is read back from Stripe, so duplicates and events out of order all lead to the same, latest outcome."""
    if not event.type.startswith("checkout.session."):
        return "ignored"
    session_id = str(event.object.get("id", ""))
    metadata = event.object.get("metadata") or {}
    if not session_id or not str(metadata.get("reference", "")).startswith("reservation:"):
        return "ignored"
    try:
        state = deps.payments.checkout_state(session_id)
    except UnknownCheckout:
        logger.warning("Event for a checkout the provider does not know", extra={"event_id": event.id})
        return "ignored"
    result = settle(state, deps, now)
    return result.status.value if result else "unchanged"


def release_if_due(reservation: Reservation, deps: ReservationDeps, now: datetime) -> str:
    """Let a hold go: close its checkout at Stripe first (if that shows it was paid, settle instead)."""
    if reservation.checkout_session_id:
        state = deps.payments.expire_checkout(reservation.checkout_session_id)
        if state.paid:
            settled = settle(state, deps, now)
            return settled.status.value if settled else "unchanged"
    expired = reservation.model_copy(
        update={
            "status": Status.EXPIRED,
            "payment_status": PaymentStatus.NONE,
            "cancelled_at": now,
            "cancel_reason": "hold_expired",
        }
    )
    events = reservation_events(reservation, expired, now)
    return "expired" if deps.store.release(expired, Status.HELD.value, events=events) else "unchanged"


def reconcile(deps: ReservationDeps, now: datetime, *, after_minutes: int) -> dict[str, int]:
    """Ask Stripe about every checkout still pending after `after_minutes`: a lost webhook never leaves a paid
    booking unconfirmed."""
    counts = {"checked": 0, "settled": 0}
    cutoff = now - timedelta(minutes=after_minutes)
    for reservation in deps.store.open_holds():
        if not reservation.checkout_session_id or not reservation.checkout_started_at:
            continue
        if reservation.checkout_started_at > cutoff:
            continue
        counts["checked"] += 1
        if settle(deps.payments.checkout_state(reservation.checkout_session_id), deps, now):
            counts["settled"] += 1
    return counts

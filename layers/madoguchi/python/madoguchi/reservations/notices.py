"""Booking e-mails: confirmed (with the amount paid), cancelled (with the refund or why there is none) and
closures; in the language the resident booked in (else their record's), with the facility, day, times and a link
to the booking. Never a name, an address or card data.

Each is an effect (`reservations.notify`) owed by the change that causes it, in the same transaction: every path
that confirms or cancels a booking (the request, the webhook, the reconciler, the sweeper) sends it, once. The
payload holds the reservation id, which notice and its amounts; the address is read from the resident record when
the e-mail is sent, so nothing personal sits in the outbox."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, Literal

from aws_lambda_powertools import Logger

from madoguchi.applications.store import Mailer
from madoguchi.effects.models import Effect
from madoguchi.reservations.facilities import slot_end
from madoguchi.reservations.models import PaymentStatus, Reservation
from madoguchi.reservations.store import ReservationStore, ResidentContacts
from madoguchi.shared.i18n import LANGS, Lang, message, pick

logger = Logger(child=True)

NOTIFY = "reservations.notify"
Notice = Literal["confirmed", "cancelled"]


def reservation_link(site_origin: str, reservation: Reservation, lang: str) -> str:
    """The booking on the resident's reservations page (the origin from the deployment only, given by the worker:
    shared.public_origin)."""
    return f"{site_origin.rstrip('/')}/reservations/?id={reservation.id}&lang={lang}"


def _owed(reservation: Reservation, notice: Notice, now: datetime, amounts: dict[str, Any]) -> Effect:
    # One of each notice per reservation: it is confirmed at most once and cancelled (or refunded late) at most once.
    return Effect(
        id=f"reservations:{reservation.id}:notify:{notice}",
        kind=NOTIFY,
        payload={"reservation_id": reservation.id, "notice": notice, **amounts},
        created_at=now,
    )


def confirmed(reservation: Reservation, now: datetime) -> Effect:
    """The confirmation e-mail owed by a booking's confirmation (with the amount paid; none when free)."""
    free = reservation.payment_status is PaymentStatus.FREE or reservation.amount == 0
    return _owed(reservation, "confirmed", now, {"amount": 0 if free else reservation.amount})


def cancelled(reservation: Reservation, now: datetime, *, refund: int, paid: bool, closure: bool) -> Effect:
    """The cancellation e-mail owed by a cancellation (a closure's, or a late payment refunded)."""
    return _owed(reservation, "cancelled", now, {"refund": refund, "paid": paid, "closure": closure})


def _lines(payload: dict[str, Any]) -> tuple[str, list[tuple[str, int]]]:
    if payload["notice"] == "confirmed":
        amount = int(payload.get("amount", 0))
        return "reservation_mail_confirmed_free", [("reservation_mail_confirmed", amount)] if amount > 0 else []
    lines: list[tuple[str, int]] = []
    refund = int(payload.get("refund", 0))
    if payload.get("closure"):
        lines.append(("reservation_mail_closure", 0))
    if refund > 0:
        lines.append(("reservation_mail_refund", refund))
    elif payload.get("paid"):
        lines.append(("reservation_mail_no_refund", 0))
    return "reservation_mail_cancelled", lines


def send(
    store: ReservationStore,
    mailer: Mailer,
    contacts: ResidentContacts,
    payload: dict[str, Any],
    site_origin: Callable[[], str],
) -> None:
    """Carry out a `reservations.notify` effect. Raises while the mail service fails (the effect stays owed);
    returns when sent, or when there is nobody to write to (no reservation, no address on the record)."""
    reservation = store.get(str(payload["reservation_id"]))
    if reservation is None:
        return
    contact = contacts.contact(reservation.owner)
    if contact is None or not contact.email:
        logger.info("Booking e-mail without an address", extra={"reservation": reservation.id})
        return
    chosen = reservation.lang or contact.lang  # the language they booked in, else their record's
    lang: Lang = chosen if chosen in LANGS else "ja"
    facility = store.facility(reservation.facility_id)
    name = pick(facility.name, lang) if facility else reservation.facility_id
    times = ", ".join(
        f"{pick(u.name, lang) if facility and (u := facility.unit(s.unit_id)) else s.unit_id} "
        f"{s.start}–{slot_end(facility, s.start) if facility else ''}"
        for s in reservation.slots
    )
    status_key, lines = _lines(payload)
    status = message(status_key, lang)
    subject = f"{message('reservation_mail_subject', lang)}: {status}"
    body_lines = [status, f"{name} {reservation.date.isoformat()} {times}"]
    body_lines += [message(key, lang).format(yen=f"{amount:,}") for key, amount in lines]
    body_lines.append(reservation_link(site_origin(), reservation, lang))
    mailer.send(contact.email, subject, "\n".join(body_lines) + "\n")

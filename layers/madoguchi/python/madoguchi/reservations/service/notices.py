"""Booking e-mails: confirmed (with the amount paid), cancelled (with the refund or why there is none) and
closures; in the language the resident booked in (else their record's), with the facility, day, times and a link
to the booking. Never a name, an address or card data. A failing mail service never undoes a booking: the page
shows the same state."""

from __future__ import annotations

from aws_lambda_powertools import Logger

from madoguchi.reservations.models import PaymentStatus, Reservation
from madoguchi.reservations.service.common import ReservationDeps, slot_end
from madoguchi.shared.i18n import LANGS, Lang, message, pick
from madoguchi.shared.public_origin import site_link

logger = Logger(child=True)


def reservation_link(reservation: Reservation, lang: str) -> str:
    """The booking on the resident's reservations page (origin from the deployment only)."""
    return site_link(f"/reservations/?id={reservation.id}&lang={lang}")


def _send(deps: ReservationDeps, reservation: Reservation, status_key: str, lines: list[tuple[str, int]]) -> None:
    if deps.mailer is None or deps.contacts is None:
        return
    try:
        contact = deps.contacts.contact(reservation.owner)
        if contact is None or not contact.email:
            return
        chosen = reservation.lang or contact.lang  # the language they booked in, else their record's
        lang: Lang = chosen if chosen in LANGS else "ja"
        facility = deps.store.facility(reservation.facility_id)
        name = pick(facility.name, lang) if facility else reservation.facility_id
        times = ", ".join(
            f"{pick(u.name, lang) if facility and (u := facility.unit(s.unit_id)) else s.unit_id} "
            f"{s.start}–{slot_end(facility, s.start) if facility else ''}"
            for s in reservation.slots
        )
        status = message(status_key, lang)
        subject = f"{message('reservation_mail_subject', lang)}: {status}"
        body_lines = [status, f"{name} {reservation.date.isoformat()} {times}"]
        body_lines += [message(key, lang).format(yen=f"{amount:,}") for key, amount in lines]
        body_lines.append(reservation_link(reservation, lang))
        deps.mailer.send(contact.email, subject, "\n".join(body_lines) + "\n")
    except Exception as e:  # the booking stands; the page shows it
        logger.warning("Booking e-mail not sent", extra={"reservation": reservation.id, "error": type(e).__name__})


def confirmed(deps: ReservationDeps, reservation: Reservation) -> None:
    if reservation.payment_status is PaymentStatus.FREE or reservation.amount == 0:
        _send(deps, reservation, "reservation_mail_confirmed_free", [])
    else:
        _send(
            deps, reservation, "reservation_mail_confirmed_free", [("reservation_mail_confirmed", reservation.amount)]
        )


def cancelled(deps: ReservationDeps, reservation: Reservation, refund: int, paid: bool, closure: bool) -> None:
    lines: list[tuple[str, int]] = []
    if closure:
        lines.append(("reservation_mail_closure", 0))
    if refund > 0:
        lines.append(("reservation_mail_refund", refund))
    elif paid:
        lines.append(("reservation_mail_no_refund", 0))
    _send(deps, reservation, "reservation_mail_cancelled", lines)

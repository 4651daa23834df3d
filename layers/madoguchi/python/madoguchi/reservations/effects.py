"""The reservation effects the outbox worker carries out (functions/outbox_effects): a refund owed by a
cancellation, a closure or a late payment (`reservations.refund`), and a booking e-mail (`reservations.notify`).
Both are owed in the transaction of the change that causes them (service/settlement.py, service/notices.py)."""

from __future__ import annotations

from madoguchi.applications.store import Mailer
from madoguchi.effects.models import Effect
from madoguchi.effects.service import Handler
from madoguchi.payments.store import PaymentGateway
from madoguchi.reservations.service import notices
from madoguchi.reservations.service.settlement import REFUND, send_refund
from madoguchi.reservations.store import ReservationStore, ResidentContacts


def handlers(
    store: ReservationStore, payments: PaymentGateway, mailer: Mailer, contacts: ResidentContacts
) -> dict[str, Handler]:
    def refund(effect: Effect) -> None:
        send_refund(store, payments, str(effect.payload["reservation_id"]))

    def notify(effect: Effect) -> None:
        notices.send(store, mailer, contacts, effect.payload)

    return {REFUND: refund, notices.NOTIFY: notify}

"""The reservation effects the outbox worker carries out (functions/outbox_effects): a refund owed by a
cancellation, a closure or a late payment (`reservations.refund`, reservations/refunds.py), and a booking e-mail
(`reservations.notify`, reservations/notices.py). Both are owed in the transaction of the change that causes them.
Nothing here builds links by itself: the site's origin comes from the worker (madoguchi.wiring.effect_handlers)."""

from __future__ import annotations

from collections.abc import Callable

from madoguchi.applications.store import Mailer
from madoguchi.effects.models import Effect
from madoguchi.effects.service import Handler
from madoguchi.payments.store import PaymentGateway
from madoguchi.reservations import notices
from madoguchi.reservations.refunds import REFUND, send_refund
from madoguchi.reservations.store import ReservationStore, ResidentContacts


def handlers(
    store: ReservationStore,
    payments: Callable[[], PaymentGateway],
    mailer: Callable[[], Mailer],
    contacts: ResidentContacts,
    *,
    site_origin: Callable[[], str],
) -> dict[str, Handler]:
    """`payments` and `mailer` are built on first use: a worker carrying out other kinds never reads Stripe's key."""

    def refund(effect: Effect) -> None:
        send_refund(store, payments(), str(effect.payload["reservation_id"]))

    def notify(effect: Effect) -> None:
        notices.send(store, mailer(), contacts, effect.payload, site_origin)

    return {REFUND: refund, notices.NOTIFY: notify}

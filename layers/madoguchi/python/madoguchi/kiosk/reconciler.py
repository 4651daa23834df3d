"""Kiosk orders whose payment no poll of the kiosk settled (the kiosk crashed, the network dropped, the resident
walked away): settled from Stripe's side by a scheduled function (functions/kiosk_reconciler).

Only orders older than RECONCILE_AFTER are looked at: by then their session has expired, so the kiosk can no
longer fetch (and print) the certificate, and what the terminal took was for nothing the resident holds. Hence:

| the payment at Stripe               | the order becomes                                                      |
|-------------------------------------|------------------------------------------------------------------------|
| succeeded                           | refunding (claimed), then refunded: the fee goes back (decisions.md)   |
| waiting for a card, declined, none  | canceled, its payment cancelled at Stripe (no later tap can charge it) |
| processing (a card mid-authorisation) | left for a later pass                                                 |
| paid, but not as we asked (amount, reference) | left for a person (logged by id), looked at again each period  |

Every step is a conditional write from the state the reconciler read, so a poll or a cancel from the kiosk
racing with it wins or loses as a whole; the refund carries the order's idempotency key (one refund however many
passes or retries). An order left undecided moves behind the others in the index (as if placed now), so a
hundred of them can never fill every page. What the reconciler decided stays on the order (`settled_by`,
`settled_at`, `refund_id`): the orders are the issue ledger, kept 400 days.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from aws_lambda_powertools import Logger

from madoguchi.kiosk.models import SESSION_SECONDS, KioskOrder
from madoguchi.kiosk.store import KioskOrderStore
from madoguchi.payments.store import CardTerminal, PaymentUnavailable, TerminalPayment
from madoguchi.shared.errors import Conflict

RECONCILE_AFTER = timedelta(seconds=SESSION_SECONDS) + timedelta(minutes=5)  # the session is over, with margin
RECONCILE_PAGE = 100  # orders per pass: bounded work per run whatever the table holds; the next run goes on
SETTLED_BY = "kiosk_reconciler"

logger = Logger(child=True)


def reference(order: KioskOrder) -> str:
    return f"kiosk-order:{order.id}"  # the payment's metadata, as madoguchi.kiosk.service sets it


def reconcile_orders(
    orders: KioskOrderStore, terminal: CardTerminal, now: datetime, *, page: int = RECONCILE_PAGE
) -> dict[str, int]:
    counts = {"checked": 0, "refunded": 0, "canceled": 0, "left": 0, "failed": 0}
    for order in orders.left_waiting(now - RECONCILE_AFTER, page):
        counts["checked"] += 1
        try:
            outcome = _reconcile(order, orders, terminal, now)
        except PaymentUnavailable:
            # Stripe failed or hung: nothing decided on our side for this order. Stop here rather than wait on a
            # failing provider order after order (the pass stays within its time-out); the next pass goes on.
            counts["failed"] += 1
            logger.warning("Kiosk reconciliation stopped: Stripe unavailable", extra={"order_id": order.id})
            break
        counts[outcome] += 1
        if outcome == "left":  # for the next pass or a person: behind the others, so a page never fills with them
            orders.look_again_later(order.id, now)
        # ids and amounts only: no personal data (the resident id stays in the table)
        logger.info("Kiosk order reconciled", extra={"order_id": order.id, "outcome": outcome, "amount": order.amount})
    return counts


def _reconcile(order: KioskOrder, orders: KioskOrderStore, terminal: CardTerminal, now: datetime) -> str:
    if order.state == "refunding":
        return _refund(order, orders, terminal, now)  # a refund an earlier pass claimed but did not finish
    payment = _payment(order, terminal)
    if payment is not None and not payment.paid and payment.status != "canceled":
        payment = terminal.cancel(payment.intent_id, order.reader_id)  # stop the reader; paid if it just went
    if payment is not None and payment.paid:
        if payment.amount != order.amount or payment.reference != reference(order):
            return "left"  # not this order's payment as we made it: for a person to look at, never refunded blind
        try:
            claimed = orders.update(
                order.id,
                "awaiting_payment",
                {"state": "refunding", "payment_intent_id": payment.intent_id, "settled_by": SETTLED_BY},
            )
        except Conflict:
            return "left"  # a poll or cancel from the kiosk settled it meanwhile (issued: the resident has it)
        return _refund(claimed, orders, terminal, now)
    if payment is not None and payment.status != "canceled":
        return "left"  # processing: the card is being authorised right now; the next pass sees the result
    changes: dict[str, object] = {"state": "canceled", "settled_by": SETTLED_BY, "settled_at": now.isoformat()}
    if payment is not None:
        changes["payment_intent_id"] = payment.intent_id
    try:
        orders.update(order.id, "awaiting_payment", changes)
    except Conflict:
        return "left"
    return "canceled"


def _payment(order: KioskOrder, terminal: CardTerminal) -> TerminalPayment | None:
    if order.payment_intent_id:
        return terminal.state(order.payment_intent_id)
    # The order was recorded but the answer to its payment's creation was lost: ask Stripe by reference
    return terminal.find(reference(order))


def _refund(order: KioskOrder, orders: KioskOrderStore, terminal: CardTerminal, now: datetime) -> str:
    payment_intent_id = order.payment_intent_id
    if payment_intent_id is None:  # set when the order was claimed for a refund
        raise ValueError(f"kiosk order {order.id} claimed for a refund has no payment")
    refund_id = terminal.refund(
        payment_intent_id, order.amount, reference(order), idempotency_key=f"kiosk-refund-{order.id}"
    )
    try:
        orders.update(
            order.id,
            "refunding",
            {"state": "refunded", "refund_id": refund_id, "settled_by": SETTLED_BY, "settled_at": now.isoformat()},
        )
    except Conflict:
        return "left"  # another pass finished it (the same refund, by its key)
    return "refunded"

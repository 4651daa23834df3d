"""The kiosk reconciler with in-memory ports: orders no kiosk poll settled are refunded (paid, never printed) or
cancelled (anything else), once, and never while the kiosk could still print them."""

from __future__ import annotations

from datetime import timedelta

import pytest

from madoguchi.kiosk import service
from madoguchi.kiosk.models import KioskOrder
from madoguchi.kiosk.reconciler import RECONCILE_AFTER, SETTLED_BY, reconcile_orders
from tests.unit.test_kiosk_orders import KIOSK, NOW, ONE, SESSION, order_deps, terminal

LATER = NOW + RECONCILE_AFTER + timedelta(seconds=1)


@pytest.fixture
def deps() -> service.OrderDeps:
    return order_deps()


def placed(deps: service.OrderDeps, key: str = "key-1") -> KioskOrder:
    view = service.place_order(SESSION, ONE, key, KIOSK, deps, NOW)
    order = deps.orders.get(view.order_id)
    assert order is not None and order.payment_intent_id
    return order


def reconcile(deps: service.OrderDeps, at: object = LATER) -> dict[str, int]:
    return reconcile_orders(deps.orders, deps.terminal, at)  # type: ignore[arg-type]


def test_paid_but_never_polled_is_refunded_once(deps: service.OrderDeps) -> None:
    order = placed(deps)
    assert order.payment_intent_id is not None
    terminal(deps).settle(order.payment_intent_id, paid=True)
    assert reconcile(deps, NOW + RECONCILE_AFTER - timedelta(seconds=1))["checked"] == 0  # kiosk may still print
    assert reconcile(deps)["refunded"] == 1
    after = deps.orders.get(order.id)
    assert after is not None
    assert (after.state, after.refund_id, after.settled_by, after.settled_at) == ("refunded", "re_1", SETTLED_BY, LATER)
    assert after.issue_number is None and not deps.orders.events  # nothing issued, nothing counted
    assert reconcile(deps) == {"checked": 0, "refunded": 0, "canceled": 0, "left": 0, "failed": 0}
    assert list(terminal(deps).refunds.values()) == [("re_1", order.payment_intent_id, 300)]


def test_waiting_or_declined_is_cancelled_at_the_terminal(deps: service.OrderDeps) -> None:
    waiting = placed(deps, "key-1")
    declined = placed(deps, "key-2")
    assert declined.payment_intent_id is not None and waiting.payment_intent_id is not None
    terminal(deps).settle(declined.payment_intent_id, paid=False)
    assert reconcile(deps)["canceled"] == 2
    for order in (waiting, declined):
        after = deps.orders.get(order.id)
        assert after is not None and (after.state, after.settled_by) == ("canceled", SETTLED_BY)
        assert terminal(deps).state(order.payment_intent_id or "").status == "canceled"  # no later tap charges it
    assert not terminal(deps).refunds


def test_an_order_the_kiosk_issued_is_left_alone(deps: service.OrderDeps) -> None:
    order = placed(deps)
    terminal(deps).settle(order.payment_intent_id or "", paid=True)
    assert service.get_order(SESSION, order.id, KIOSK, deps, NOW).state == "issued"
    assert reconcile(deps)["checked"] == 0 and not terminal(deps).refunds


def test_an_order_whose_payment_id_was_lost_is_found_by_reference(deps: service.OrderDeps) -> None:
    order = placed(deps)
    terminal(deps).settle(order.payment_intent_id or "", paid=True)
    deps.orders.orders[order.id] = order.model_copy(update={"payment_intent_id": None})  # the answer was lost
    assert reconcile(deps)["refunded"] == 1
    after = deps.orders.get(order.id)
    assert after is not None and (after.state, after.payment_intent_id) == ("refunded", order.payment_intent_id)


def test_a_failed_refund_is_retried_by_the_next_pass_and_made_once(deps: service.OrderDeps) -> None:
    first, second = placed(deps, "key-1"), placed(deps, "key-2")
    for order in (first, second):
        terminal(deps).settle(order.payment_intent_id or "", paid=True)
    terminal(deps).fail_next_refund = True
    counts = reconcile(deps)
    assert (counts["failed"], counts["refunded"]) == (1, 0)  # stopped at the failing provider
    assert {o.state for o in deps.orders.orders.values()} == {"refunding", "awaiting_payment"}
    counts = reconcile(deps)
    assert counts["refunded"] == 2
    assert {o.state for o in deps.orders.orders.values()} == {"refunded"}
    assert len(terminal(deps).refunds) == 2


def test_a_kiosk_poll_after_the_claim_issues_nothing(deps: service.OrderDeps) -> None:
    order = placed(deps)
    terminal(deps).settle(order.payment_intent_id or "", paid=True)
    terminal(deps).fail_next_refund = True
    reconcile(deps)  # claimed for a refund, the refund failed
    view = service.cancel_order(SESSION, order.id, KIOSK, deps, LATER)  # the kiosk comes back
    assert view.state == "refunding" and view.pdf is None and not deps.orders.events


def test_orders_it_cannot_decide_move_behind_the_others_and_never_crowd_a_page(deps: service.OrderDeps) -> None:
    odd = [placed(deps, f"odd-{i}") for i in range(3)]
    for order in odd:  # paid another amount than the order's: for a person, never refunded blind
        terminal(deps).settle(order.payment_intent_id or "", paid=True, amount=999)
    later = deps.orders.orders
    newer = placed(deps, "newer")
    deps.orders.orders[newer.id] = newer.model_copy(update={"created_at": NOW + timedelta(seconds=1)})
    terminal(deps).settle(newer.payment_intent_id or "", paid=True)
    first = reconcile_orders(deps.orders, deps.terminal, LATER + timedelta(seconds=1), page=3)
    assert (first["left"], first["refunded"]) == (3, 0)  # a page of orders it could not decide
    second = reconcile_orders(deps.orders, deps.terminal, LATER + timedelta(seconds=2), page=3)
    assert (second["checked"], second["refunded"]) == (1, 1)  # the next pass reaches the newer order
    assert {later[o.id].state for o in odd} == {"awaiting_payment"} and not terminal(deps).refunds.keys() - {
        f"kiosk-refund-{newer.id}"
    }
    again = LATER + timedelta(seconds=2) + RECONCILE_AFTER  # looked at again a whole period later
    assert reconcile_orders(deps.orders, deps.terminal, again, page=3)["left"] == 3

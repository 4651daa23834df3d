"""One contract for the kiosk orders' reconciliation index, run against the in-memory fake and the DynamoDB
adapter (moto, the kiosk table from the catalogue): orders still waiting come oldest first, settled ones never,
and an order moved behind the others comes after every order placed before that move."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from madoguchi.kiosk.models import KioskOrder
from madoguchi.kiosk.store import KioskOrderStore
from tests.fakes.kiosk import MemoryKioskOrders
from tests.integration.ports.emulated_table import emulated_table

NOW = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)


@pytest.fixture(params=["memory", "dynamodb"])
def orders(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[KioskOrderStore]:
    if request.param == "memory":
        yield MemoryKioskOrders()
        return
    from madoguchi.kiosk.dynamodb import DynamoKioskOrders

    with emulated_table(monkeypatch, "kiosk") as name:
        yield DynamoKioskOrders(name)


def placed(orders: KioskOrderStore, n: int) -> KioskOrder:
    return orders.create(
        KioskOrder(
            id=f"order-{n}",
            session_id="session-1",
            kiosk="kiosk-1",
            resident_id="resident-1",
            certificate="juminhyo",
            copies=1,
            scope="self",
            amount=300,
            state="awaiting_payment",
            created_at=NOW + timedelta(minutes=n),
        )
    )


def test_waiting_orders_oldest_first_and_a_moved_one_behind_the_others(orders: KioskOrderStore) -> None:
    for n in range(4):
        placed(orders, n)
    orders.update("order-3", "awaiting_payment", {"state": "canceled"})  # settled: out of the index
    assert [o.id for o in orders.left_waiting(NOW + timedelta(hours=1), 10)] == ["order-0", "order-1", "order-2"]
    orders.look_again_later("order-0", NOW + timedelta(minutes=30))
    orders.look_again_later("order-3", NOW + timedelta(minutes=30))  # settled: stays out
    assert [o.id for o in orders.left_waiting(NOW + timedelta(minutes=20), 10)] == ["order-1", "order-2"]
    assert [o.id for o in orders.left_waiting(NOW + timedelta(hours=1), 2)] == ["order-1", "order-2"]
    assert [o.id for o in orders.left_waiting(NOW + timedelta(hours=1), 10)] == ["order-1", "order-2", "order-0"]

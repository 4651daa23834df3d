"""The payment page names what is paid for in the resident's language (Stripe Checkout shows the item name)."""

from __future__ import annotations

from typing import Any

import pytest

from madoguchi.reservations import service as reservations
from madoguchi.reservations.models import CheckoutRequest
from madoguchi.shared.settings import settings
from tests.unit.test_applications_logic import attach_valid, draft, submit, world  # noqa: F401 (fixture)
from tests.unit.test_reservations_logic import ALICE, NOW, deps, hold, payments, store  # noqa: F401


@pytest.fixture(autouse=True)
def site(monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("SITE_URL", "https://city.example")  # where both helpers' return URLs point
    settings.cache_clear()
    yield
    settings.cache_clear()


def test_a_reservations_checkout_item_is_named_in_the_residents_language(store, payments):  # noqa: F811
    for unit, lang, name in (("court-1", "pt", "Quadras de tênis Kasumigaura"), ("court-2", "vi", "Sân tennis")):
        held = hold(store, slots=((unit, "09:00"),))
        session = reservations.checkout(held.id, CheckoutRequest(), ALICE, deps(store, payments), NOW, lang=lang)
        item = payments.items[session.reservation.checkout_session_id]
        assert item.startswith(name), item


def test_an_applications_checkout_item_is_named_in_the_residents_language(world: dict[str, Any]):  # noqa: F811
    a = draft(world)  # the resident's language is pt
    attach_valid(world, a.id)
    waiting = submit(world, a.id)
    assert waiting.payment is not None
    item = world["pay"].items[waiting.payment.session_id]
    assert item == f"Cópia do Registro de Residente (Juminhyo) {waiting.code}"

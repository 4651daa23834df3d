"""More certificates at the kiosk: 印鑑登録証明書 only for a resident with a registered seal, 所得課税証明書 for a tax
year the city assessed; both refused before the terminal asks for a card, both made from the records."""

from __future__ import annotations

import base64
import io

import pytest
from pydantic import ValidationError
from pypdf import PdfReader

from madoguchi.kiosk import service
from madoguchi.kiosk.models import KioskSession, NoSealRegistration, NoTaxRecord, OrderRequest
from tests.unit.test_kiosk_orders import KIOSK, NOW, SESSION, order_deps, terminal


@pytest.fixture
def deps() -> service.OrderDeps:
    return order_deps()


def as_resident(deps: service.OrderDeps, resident_id: str) -> None:
    session: KioskSession = deps.sessions.get(SESSION)  # type: ignore[assignment]
    deps.sessions.sessions[SESSION] = session.model_copy(update={"resident_id": resident_id})  # type: ignore[attr-defined]


def issued_text(deps: service.OrderDeps, request: OrderRequest) -> tuple[int, str]:
    placed = service.place_order(SESSION, request, "key-1", KIOSK, deps, NOW)
    order = deps.orders.get(placed.order_id)
    assert order is not None and order.payment_intent_id
    terminal(deps).settle(order.payment_intent_id, paid=True)
    view = service.get_order(SESSION, placed.order_id, KIOSK, deps, NOW)
    assert view.state == "issued" and view.pdf is not None
    pages = PdfReader(io.BytesIO(base64.b64decode(view.pdf))).pages
    return placed.amount, "".join(page.extract_text() for page in pages)


def test_seal_certificate_shows_the_registered_seal_for_the_catalogue_fee(deps: service.OrderDeps) -> None:
    amount, text = issued_text(deps, OrderRequest(certificate="inkan-toroku-shomei", copies=2))
    assert amount == 600  # 印鑑登録証明書 ¥300 × 2, from the procedure catalogue
    assert "印鑑登録証明書" in text and "10-0123" in text and "市民 一郎" in text and "昭和60年4月12日" in text
    assert "市民 桜" not in text  # the holder only


def test_no_seal_is_refused_before_the_terminal_is_asked(deps: service.OrderDeps) -> None:
    as_resident(deps, "resident-2")
    with pytest.raises(NoSealRegistration):
        service.place_order(SESSION, OrderRequest(certificate="inkan-toroku-shomei", copies=1), "k", KIOSK, deps, NOW)
    assert not deps.orders.orders and not terminal(deps).payments  # nothing recorded, nothing to pay


def test_income_certificate_of_a_fiscal_year_in_wareki(deps: service.OrderDeps) -> None:
    request = OrderRequest(certificate="shotoku-kazei-shomei", copies=1, fiscal_year=2026)
    amount, text = issued_text(deps, request)
    assert amount == 300
    assert "令和8年度" in text and "令和7年分" in text and "4,200,000円" in text and "163,700円" in text


def test_a_year_without_an_assessment_is_refused_before_payment(deps: service.OrderDeps) -> None:
    request = OrderRequest(certificate="shotoku-kazei-shomei", copies=1, fiscal_year=2019)
    with pytest.raises(NoTaxRecord):
        service.place_order(SESSION, request, "k", KIOSK, deps, NOW)
    assert not terminal(deps).payments


@pytest.mark.parametrize(
    "body",
    [
        {"certificate": "shotoku-kazei-shomei", "copies": 1},  # which year?
        {"certificate": "juminhyo", "copies": 1, "fiscal_year": 2026},
        {"certificate": "inkan-toroku-shomei", "copies": 1, "scope": "household"},
        {"certificate": "koseki-shomei", "copies": 1, "scope": "household"},  # the holder's own register only
    ],
)
def test_requests_that_do_not_fit_the_certificate_are_invalid(body: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        OrderRequest.model_validate(body)

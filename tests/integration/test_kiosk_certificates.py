"""More certificates at the kiosk through the local gateway: what the records do not hold is refused with a
translated message before the terminal is asked for anything; what they hold is paid and issued."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
import stripe

from infra.local.jpki import Card
from madoguchi.shared.i18n import message
from tests.integration.test_kiosk_api import Kiosk
from tests.integration.test_kiosk_orders import APPROVED, order, pdf_text, poll, tap

RESIDENT_2 = {
    "name": "市民 花子",
    "address": "三重県四日市市安島1丁目2番3号",
    "date_of_birth": "1990-09-30",
    "sex": "female",
}


@pytest.fixture(scope="module")
def kiosk(stack_url: str, auth_header: Any) -> Kiosk:
    return Kiosk(stack_url, auth_header("kiosk-1"))


@pytest.fixture(scope="module")
def card(local_stack: Any) -> Card:
    return local_stack.jpki.issue()  # type: ignore[no-any-return]


def session_of(kiosk: Kiosk, card: Card, four: dict[str, str] | None = None) -> str:
    session = kiosk.start()
    answered = kiosk.answer(session, card, **({"four": four} if four else {}))
    assert answered.status_code == 200, answered.text
    return str(session["session_id"])


def intents_now(local_stack: Any) -> int:
    return len(local_stack.stripe.intents)


@pytest.mark.parametrize(
    ("four", "body", "code"),
    [
        (RESIDENT_2, {"certificate": "inkan-toroku-shomei"}, "kiosk_no_seal_registration"),
        (None, {"certificate": "shotoku-kazei-shomei", "fiscal_year": 2019}, "kiosk_no_tax_record"),
        (RESIDENT_2, {"certificate": "koseki-shomei"}, "kiosk_no_family_register"),  # her 本籍 is elsewhere
    ],
    ids=["no-seal", "no-assessment", "no-register"],
)
@pytest.mark.parametrize("lang", ["ja", "vi"])
def test_what_the_records_do_not_hold_is_refused_before_payment(
    kiosk: Kiosk, card: Card, local_stack: Any, four: dict[str, str] | None, body: dict[str, Any], code: str, lang: str
) -> None:
    session_id = session_of(kiosk, card, four)
    before = intents_now(local_stack)
    refused = order(kiosk, session_id, str(uuid.uuid4()), lang=lang, **body)
    assert refused.status_code == 409, refused.text
    assert refused.json() == {**refused.json(), "code": code, "message": message(code, lang)}
    assert intents_now(local_stack) == before  # the terminal was never asked


def test_a_family_register_certificate_is_paid_and_issued_from_the_register(
    kiosk: Kiosk, card: Card, local_stack: Any
) -> None:
    session_id = session_of(kiosk, card)  # resident-1: 本籍 in the city (infra/seed/family_registers.json)
    placed = order(kiosk, session_id, str(uuid.uuid4()), certificate="koseki-shomei")
    assert placed.status_code == 200, placed.text
    assert placed.json()["amount"] == 450
    terminal = stripe.StripeClient(local_stack.stripe.api_key, base_addresses={"api": local_stack.stripe.url})
    reader = next(r for r, v in local_stack.stripe.readers.items() if v["metadata"].get("kiosk") == "kiosk-1")
    tap(terminal, reader, APPROVED)
    issued = poll(kiosk, session_id, placed.json()["order_id"])
    assert (issued["state"], issued["certificate"]) == ("issued", "koseki-shomei")
    text = pdf_text(issued["pdf"])
    assert "戸籍全部事項証明書" in text and "三重県四日市市諏訪町1番地" in text and "【婚姻日】平成26年6月1日" in text


def test_a_seal_certificate_is_paid_and_issued_from_the_seal_register(
    kiosk: Kiosk, card: Card, local_stack: Any
) -> None:
    session_id = session_of(kiosk, card)
    placed = order(kiosk, session_id, str(uuid.uuid4()), certificate="inkan-toroku-shomei")
    assert placed.status_code == 200, placed.text
    assert placed.json()["amount"] == 300
    terminal = stripe.StripeClient(local_stack.stripe.api_key, base_addresses={"api": local_stack.stripe.url})
    reader = next(r for r, v in local_stack.stripe.readers.items() if v["metadata"].get("kiosk") == "kiosk-1")
    tap(terminal, reader, APPROVED)
    issued = poll(kiosk, session_id, placed.json()["order_id"])
    assert (issued["state"], issued["certificate"]) == ("issued", "inkan-toroku-shomei")
    text = pdf_text(issued["pdf"])
    assert "印鑑登録証明書" in text and "10-0123" in text and "市民 一郎" in text
    # a household 印鑑登録証明書 or 戸籍 is not something the kiosk issues (the 戸籍 certifies the whole register)
    for wrong in (
        {"certificate": "inkan-toroku-shomei", "scope": "household"},
        {"certificate": "koseki-shomei", "scope": "household"},
    ):
        assert order(kiosk, session_id, str(uuid.uuid4()), **wrong).status_code == 422

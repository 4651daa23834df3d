"""Orders at the kiosk through the local gateway: a card-authenticated resident orders a 住民票の写し, pays on the
kiosk's card terminal (Stripe Terminal's server-driven flow through the real `stripe` SDK, against the stand-in's
simulated reader) and gets the certificate PDF made from the city's resident record."""

from __future__ import annotations

import base64
import hashlib
import io
import uuid
from typing import Any

import boto3
import pytest
import requests
import stripe
from pypdf import PdfReader

from infra import catalogue
from infra.local.jpki import Card, LocalJpki
from tests.integration.test_kiosk_api import Kiosk

APPROVED = "4242424242424242"
DECLINED = "4000000000000002"


@pytest.fixture(scope="module")
def kiosk(stack_url: str, auth_header: Any) -> Kiosk:
    return Kiosk(stack_url, auth_header("kiosk-1"))


@pytest.fixture(scope="module")
def card(local_stack: Any) -> Card:
    jpki: LocalJpki = local_stack.jpki
    return jpki.issue()


@pytest.fixture(scope="module")
def terminal(local_stack: Any) -> stripe.StripeClient:
    """The test side of Stripe: the SDK's test helper taps a card on the simulated reader."""
    return stripe.StripeClient(local_stack.stripe.api_key, base_addresses={"api": local_stack.stripe.url})


@pytest.fixture(scope="module")
def reader(local_stack: Any) -> str:
    return next(r for r, v in local_stack.stripe.readers.items() if v["metadata"].get("kiosk") == "kiosk-1")


def authenticated(kiosk: Kiosk, card: Card) -> str:
    session = kiosk.start()
    assert kiosk.answer(session, card).status_code == 200
    return str(session["session_id"])


def order(kiosk: Kiosk, session_id: str, key: str | None, lang: str = "en", **body: Any) -> requests.Response:
    headers = dict(kiosk.headers, **({"Idempotency-Key": key} if key else {}))
    return requests.post(
        f"{kiosk.url}/kiosk/sessions/{session_id}/orders?lang={lang}",
        json={"certificate": "juminhyo", "copies": 1, "scope": "self", **body},
        headers=headers,
        timeout=30,
    )


def poll(kiosk: Kiosk, session_id: str, order_id: str) -> dict[str, Any]:
    response = requests.get(
        f"{kiosk.url}/kiosk/sessions/{session_id}/orders/{order_id}", headers=kiosk.headers, timeout=30
    )
    assert response.status_code == 200, response.text
    return dict(response.json())


def tap(terminal: stripe.StripeClient, reader: str, number: str) -> None:
    terminal.v1.test_helpers.terminal.readers.present_payment_method(
        reader, {"type": "card_present", "card_present": {"number": number}}
    )


def stored(order_id: str) -> dict[str, Any]:
    table = boto3.resource("dynamodb").Table(catalogue.table("kiosk").local_name)
    return dict(table.get_item(Key={"pk": f"ORDER#{order_id}", "sk": "ORDER"})["Item"])


def busy_order_id(session_id: str, key: str) -> str:
    """The order id the API derives from the session and the Idempotency-Key (madoguchi.kiosk.service)."""
    digest = hashlib.sha256(f"{session_id}\0{key}".encode()).digest()
    return base64.urlsafe_b64encode(digest[:16]).rstrip(b"=").decode("ascii")


def pdf_text(pdf_b64: str) -> str:
    data = base64.b64decode(pdf_b64)
    assert data.startswith(b"%PDF")
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_a_paid_order_returns_the_certificate_from_the_resident_record(
    kiosk: Kiosk, card: Card, terminal: stripe.StripeClient, reader: str, local_stack: Any
) -> None:
    session_id = authenticated(kiosk, card)
    key = str(uuid.uuid4())
    placed = order(kiosk, session_id, key, copies=2, scope="household")
    assert placed.status_code == 200, placed.text
    view = placed.json()
    assert (view["state"], view["amount"], view["pdf"]) == ("awaiting_payment", 600, None)
    # the terminal shows the amount and waits; nothing is issued before the card is tapped
    assert poll(kiosk, session_id, view["order_id"])["state"] == "awaiting_payment"
    # a retry of the same request (lost answer) is the same order and the same payment
    again = order(kiosk, session_id, key, copies=2, scope="household")
    assert again.json()["order_id"] == view["order_id"]
    reference = f"kiosk-order:{view['order_id']}"
    intents = [i for i in local_stack.stripe.intents.values() if i["metadata"].get("reference") == reference]
    assert len(intents) == 1 and intents[0]["payment_method_types"] == ["card_present"]

    tap(terminal, reader, APPROVED)
    issued = poll(kiosk, session_id, view["order_id"])
    assert issued["state"] == "issued"
    assert issued["issue_number"].startswith("K20")
    text = pdf_text(issued["pdf"])
    assert "市民 一郎" in text and "市民 桜" in text  # the record's household, not anything typed
    assert "昭和60年4月12日" in text  # date of birth in 和暦
    assert issued["issue_number"] in text
    assert len(PdfReader(io.BytesIO(base64.b64decode(issued["pdf"]))).pages) == 2  # one page per copy
    # polling again issues nothing new and charges nothing more
    assert poll(kiosk, session_id, view["order_id"])["issue_number"] == issued["issue_number"]
    assert order(kiosk, session_id, key, copies=2, scope="household").json()["state"] == "issued"
    assert local_stack.stripe.charged(reference) == 600
    assert "name" not in stored(view["order_id"])  # the order keeps no record content


def test_a_declined_card_issues_nothing_and_charges_nothing(
    kiosk: Kiosk, card: Card, terminal: stripe.StripeClient, reader: str, local_stack: Any
) -> None:
    session_id = authenticated(kiosk, card)
    view = order(kiosk, session_id, str(uuid.uuid4())).json()
    tap(terminal, reader, DECLINED)
    declined = poll(kiosk, session_id, view["order_id"])
    assert (declined["state"], declined["decline_code"], declined["pdf"]) == ("declined", "generic_decline", None)
    record = stored(view["order_id"])
    assert record["state"] == "declined" and "issue_number" not in record
    intent = local_stack.stripe.intents[record["payment_intent_id"]]
    assert intent["status"] == "canceled"  # no later tap can charge it
    assert local_stack.stripe.charged(f"kiosk-order:{view['order_id']}") == 0
    # the resident may try another card with a new order
    retry = order(kiosk, session_id, str(uuid.uuid4())).json()
    tap(terminal, reader, APPROVED)
    assert poll(kiosk, session_id, retry["order_id"])["state"] == "issued"


def test_a_cancelled_order_leaves_the_terminal_and_charges_nothing(
    kiosk: Kiosk, card: Card, terminal: stripe.StripeClient, reader: str, local_stack: Any
) -> None:
    session_id = authenticated(kiosk, card)
    view = order(kiosk, session_id, str(uuid.uuid4())).json()
    cancelled = requests.post(
        f"{kiosk.url}/kiosk/sessions/{session_id}/orders/{view['order_id']}/cancel", headers=kiosk.headers, timeout=30
    )
    assert cancelled.json()["state"] == "canceled"
    with pytest.raises(stripe.InvalidRequestError):
        tap(terminal, reader, APPROVED)  # the reader no longer waits for a card
    assert local_stack.stripe.charged(f"kiosk-order:{view['order_id']}") == 0


def test_orders_need_an_authenticated_session_of_this_kiosk_and_a_key(
    kiosk: Kiosk, card: Card, stack_url: str, auth_header: Any
) -> None:
    unauthenticated = kiosk.start()["session_id"]
    refused = order(kiosk, unauthenticated, "k1", lang="ja")
    assert (refused.status_code, refused.json()["code"]) == (403, "kiosk_not_authenticated")
    assert "マイナンバーカードでの確認が済んでいません" in refused.json()["message"]
    session_id = authenticated(kiosk, card)
    assert order(kiosk, session_id, None).status_code == 422  # Idempotency-Key required
    assert order(kiosk, session_id, "k2", copies=11).status_code == 422
    assert order(kiosk, session_id, "k3", certificate="koseki").status_code == 422
    for user, status in ((None, 401), ("resident-1", 403), ("staff-shimin", 403)):
        other = Kiosk(stack_url, auth_header(user) if user else {})
        assert order(other, session_id, "k4").status_code == status
    first = order(kiosk, session_id, "k5").json()
    busy = order(kiosk, session_id, "k6")  # the reader still waits for the first order's card
    assert (busy.status_code, busy.json()["code"]) == (503, "kiosk_no_terminal")
    assert poll(kiosk, session_id, busy_id := busy_order_id(session_id, "k6"))["state"] == "canceled"
    assert stored(busy_id)["state"] == "canceled"
    reused = order(kiosk, session_id, "k5", copies=3)
    assert (reused.status_code, reused.json()["code"]) == (409, "kiosk_order_key_reused")
    other_session = authenticated(kiosk, card)
    assert (
        requests.get(
            f"{stack_url}/kiosk/sessions/{other_session}/orders/{first['order_id']}", headers=kiosk.headers, timeout=30
        ).status_code
        == 404
    )
    requests.post(
        f"{stack_url}/kiosk/sessions/{session_id}/orders/{first['order_id']}/cancel", headers=kiosk.headers, timeout=30
    )

"""The kiosk reconciler (functions/kiosk_reconciler) through the local stack: orders whose payment no kiosk poll
saw are settled from Stripe's side (the stand-in, through the real `stripe` SDK) — refunded when paid but never
printed, cancelled at Stripe otherwise — once, however many passes, and a Stripe failure decides nothing."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
import requests
import stripe

from infra import catalogue
from infra.local.jpki import Card
from madoguchi.payments.stripe import NETWORK_RETRIES
from tests.integration.test_kiosk_api import Kiosk
from tests.integration.test_kiosk_orders import APPROVED, DECLINED, authenticated, order, poll, stored, tap

LONG_AGO = "2000-01-01T00:00:00+00:00"  # before any cut-off: the session is long over


@pytest.fixture(scope="module")
def kiosk(stack_url: str, auth_header: Any) -> Kiosk:
    return Kiosk(stack_url, auth_header("kiosk-1"))


@pytest.fixture(scope="module")
def card(local_stack: Any) -> Card:
    return local_stack.jpki.issue()  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def terminal(local_stack: Any) -> stripe.StripeClient:
    return stripe.StripeClient(local_stack.stripe.api_key, base_addresses={"api": local_stack.stripe.url})


@pytest.fixture(scope="module")
def reader(local_stack: Any) -> str:
    return next(r for r, v in local_stack.stripe.readers.items() if v["metadata"].get("kiosk") == "kiosk-1")


def left_behind(kiosk: Kiosk, card: Card) -> tuple[str, str]:
    """An order placed at the kiosk that nobody polls again (the kiosk crashed, the resident walked away)."""
    session_id = authenticated(kiosk, card)
    placed = order(kiosk, session_id, str(uuid.uuid4()))
    assert placed.status_code == 200, placed.text
    return session_id, str(placed.json()["order_id"])


def age(order_id: str) -> None:
    table = boto3.resource("dynamodb").Table(catalogue.table("kiosk").local_name)
    table.update_item(
        Key={"pk": f"ORDER#{order_id}", "sk": "ORDER"},
        UpdateExpression="SET waiting_at = :at",
        ExpressionAttributeValues={":at": f"{LONG_AGO}#{order_id}"},
    )


def refunds_of(local_stack: Any, intent: str) -> list[int]:
    return [r["amount"] for r in local_stack.stripe.refunds.values() if r["payment_intent"] == intent]


def test_paid_but_never_printed_is_refunded_once(
    kiosk: Kiosk, card: Card, terminal: stripe.StripeClient, reader: str, local_stack: Any
) -> None:
    session_id, order_id = left_behind(kiosk, card)
    tap(terminal, reader, APPROVED)  # paid; the kiosk never asks again
    assert local_stack.run_scheduled("kiosk_reconciler")["refunded"] == 0  # too early: the kiosk may still print
    age(order_id)
    assert local_stack.run_scheduled("kiosk_reconciler")["refunded"] == 1
    record = stored(order_id)
    assert (record["state"], record["settled_by"]) == ("refunded", "kiosk_reconciler")
    assert "issue_number" not in record and "waiting" not in record  # nothing issued; out of the index
    assert refunds_of(local_stack, record["payment_intent_id"]) == [300]
    assert local_stack.run_scheduled("kiosk_reconciler")["refunded"] == 0  # a second pass refunds nothing more
    assert refunds_of(local_stack, record["payment_intent_id"]) == [300]
    # the kiosk coming back gets no certificate for a refunded fee
    view = poll(kiosk, session_id, order_id)
    assert (view["state"], view["pdf"]) == ("refunded", None)


@pytest.mark.parametrize("card_number", [None, DECLINED], ids=["still-waiting", "declined"])
def test_a_waiting_or_declined_payment_is_cancelled_at_stripe(
    kiosk: Kiosk, card: Card, terminal: stripe.StripeClient, reader: str, local_stack: Any, card_number: str | None
) -> None:
    _, order_id = left_behind(kiosk, card)
    if card_number:
        tap(terminal, reader, card_number)
    age(order_id)
    assert local_stack.run_scheduled("kiosk_reconciler")["canceled"] >= 1
    record = stored(order_id)
    assert (record["state"], record["settled_by"]) == ("canceled", "kiosk_reconciler")
    assert local_stack.stripe.intents[record["payment_intent_id"]]["status"] == "canceled"
    with pytest.raises(stripe.InvalidRequestError):
        tap(terminal, reader, APPROVED)  # the reader no longer waits: no later tap can charge it
    assert local_stack.stripe.charged(f"kiosk-order:{order_id}") == 0
    assert not refunds_of(local_stack, record["payment_intent_id"])


@pytest.fixture
def faults(stack_url: str) -> Iterator[str]:
    yield f"{stack_url}/_local/faults"
    requests.delete(f"{stack_url}/_local/faults", timeout=10)


def arm(faults: str, **fault: Any) -> None:
    response = requests.post(faults, json={"provider": "stripe", "kind": "status", **fault}, timeout=10)
    assert response.status_code == 200, response.text


@pytest.mark.faults
def test_stripe_failing_once_decides_nothing_and_the_next_pass_refunds_once(
    kiosk: Kiosk, card: Card, terminal: stripe.StripeClient, reader: str, local_stack: Any, faults: str
) -> None:
    _, order_id = left_behind(kiosk, card)
    tap(terminal, reader, APPROVED)
    age(order_id)
    intent = stored(order_id)["payment_intent_id"]
    # Stripe fails reading the payment, the SDK's own retry included (NETWORK_RETRIES + 1 calls)
    arm(faults, status=500, match=f"GET /v1/payment_intents/{intent}", count=NETWORK_RETRIES + 1)
    counts = local_stack.run_scheduled("kiosk_reconciler")
    assert (counts["failed"], counts["refunded"]) == (1, 0)
    assert stored(order_id)["state"] == "awaiting_payment" and not refunds_of(local_stack, intent)
    # Stripe answers the refund itself with a 500 once: the refund is still made, and only once
    arm(faults, status=500, match="POST /v1/refunds", count=1)
    assert local_stack.run_scheduled("kiosk_reconciler")["refunded"] == 1
    assert stored(order_id)["state"] == "refunded"
    assert local_stack.run_scheduled("kiosk_reconciler")["refunded"] == 0
    assert refunds_of(local_stack, intent) == [300]

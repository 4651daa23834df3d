"""The Stripe webhook: signatures made with the SDK's own helper; valid, wrong secret, stale, tampered, forged,
duplicated and out-of-order deliveries; reconciliation after a lost webhook; payment after the hold ran out."""

from __future__ import annotations

import json
import time

import pytest
import requests
import stripe

from infra import catalogue
from infra.local.secrets import LOCAL_SECRETS
from tests.integration.reservations_helpers import Api, fresh_day, pay, rewind

SECRET = LOCAL_SECRETS["stripe"]["webhook_secret"]


@pytest.fixture
def api(stack_url, auth_header):
    return Api(stack_url, auth_header)


def post(url: str, payload: str, signature: str | None) -> requests.Response:
    headers = {"Content-Type": "application/json; charset=utf-8"}
    if signature is not None:
        headers["Stripe-Signature"] = signature
    return requests.post(f"{url}/payments/stripe/webhook", data=payload, headers=headers, timeout=30)


def signed(payload: str, secret: str = SECRET, timestamp: int | None = None) -> str:
    """The Stripe-Signature header, made by the SDK's own helper."""
    return stripe.WebhookSignature.generate_signature_header(payload, secret, timestamp=timestamp)


def paid_but_undelivered(api: Api, stack, user: str = "resident-1") -> tuple[dict, dict]:
    """A held reservation whose checkout was paid while the webhook was lost: (reservation, the event)."""
    held = api.held(user, fresh_day(), [("court-1", "19:00")])
    session_id = api.checkout(user, held["id"])["reservation"]["checkout_session_id"]
    requests.post(f"{stack.stripe.url}/_control/drop", json={"count": 1}, timeout=10).raise_for_status()
    assert pay(stack, session_id)["paid"] is True
    events = requests.get(f"{stack.stripe.url}/_control/events", timeout=10).json()["events"]
    event = next(
        e for e in events if e["type"] == "checkout.session.completed" and e["data"]["object"]["id"] == session_id
    )
    assert api.reservation(user, held["id"])["status"] == "held"  # nothing arrived
    return held, event


def test_sdk_helper_signature_is_accepted_and_settles_once(api, local_stack):
    held, event = paid_but_undelivered(api, local_stack)
    payload = json.dumps(event)
    first = post(api.url, payload, signed(payload))
    assert first.status_code == 200, first.text
    assert first.json()["outcome"] == "confirmed"
    # a duplicate delivery (same event id) is acknowledged without doing anything again
    again = post(api.url, payload, signed(payload))
    assert again.status_code == 200 and again.json() == first.json()
    assert api.reservation("resident-1", held["id"])["status"] == "confirmed"


@pytest.mark.parametrize(
    "how",
    ["wrong_secret", "stale", "tampered", "missing", "forged_garbage"],
)
def test_bad_signatures_are_rejected_and_change_nothing(api, local_stack, how):
    held, event = paid_but_undelivered(api, local_stack)
    payload = json.dumps(event)
    if how == "wrong_secret":
        response = post(api.url, payload, signed(payload, secret="whsec_someone_else"))
    elif how == "stale":  # a replay captured long ago: outside the SDK's 300 s tolerance
        response = post(api.url, payload, signed(payload, timestamp=int(time.time()) - 3600))
    elif how == "tampered":
        header = signed(payload)
        response = post(api.url, payload.replace(held["id"], "0" * 32), header)
    elif how == "missing":
        response = post(api.url, payload, None)
    else:
        response = post(api.url, payload, "t=1,v1=deadbeef")
    assert response.status_code == 400
    assert response.json()["code"] == "webhook_signature_invalid"
    assert api.reservation("resident-1", held["id"])["status"] == "held"


def test_events_out_of_order_lead_to_the_latest_state(api, local_stack):
    # Given a paid checkout whose completed event was lost
    held, completed = paid_but_undelivered(api, local_stack)
    # When a stale "expired" event for the same session arrives (forged order: it claims the session expired)
    expired = {**completed, "id": completed["id"] + "x", "type": "checkout.session.expired"}
    expired["data"] = {"object": {**completed["data"]["object"], "status": "expired", "payment_status": "unpaid"}}
    payload = json.dumps(expired)
    response = post(api.url, payload, signed(payload))
    # Then the state is read back from Stripe: the payment is what counts, and the booking is confirmed
    assert response.status_code == 200
    assert api.reservation("resident-1", held["id"])["status"] == "confirmed"
    # and the completed event arriving late changes nothing more
    payload = json.dumps(completed)
    late = post(api.url, payload, signed(payload))
    assert late.status_code == 200
    assert api.reservation("resident-1", held["id"])["payment_status"] == "paid"


def test_events_about_unknown_things_are_acknowledged_and_ignored(api):
    event = {
        "id": "evt_test_other",
        "object": "event",
        "type": "customer.created",
        "created": int(time.time()),
        "data": {"object": {"id": "cus_1", "object": "customer"}},
    }
    payload = json.dumps(event)
    response = post(api.url, payload, signed(payload))
    assert response.status_code == 200 and response.json()["outcome"] == "ignored"


def test_reconciliation_settles_a_payment_whose_webhook_was_lost(api, local_stack):
    held, _ = paid_but_undelivered(api, local_stack)
    # too early: a checkout only minutes old is left to its webhook
    local_stack.run_scheduled("payments_reconciler")
    assert api.reservation("resident-1", held["id"])["status"] == "held"
    # after N minutes the reconciler asks Stripe and confirms
    rewind(held["id"], 10, fields=("checkout_started_at",))
    result = local_stack.run_scheduled("payments_reconciler")
    assert result["settled"] >= 1
    assert api.reservation("resident-1", held["id"])["status"] == "confirmed"


def test_the_sweeper_expires_an_unpaid_hold_and_closes_its_checkout(api, local_stack):
    day = fresh_day()
    held = api.held("resident-2", day, [("court-3", "07:00")])
    session_id = api.checkout("resident-2", held["id"])["reservation"]["checkout_session_id"]
    rewind(held["id"], 20)
    counts = local_stack.run_scheduled("reservations_sweeper")
    assert counts["expired"] >= 1
    assert api.reservation("resident-2", held["id"])["status"] == "expired"
    assert local_stack.stripe.sessions[session_id]["status"] == "expired"  # can no longer be paid
    assert pay(local_stack, session_id)["paid"] is False
    slots = api.call("GET", f"/facilities/kasumi-tennis/availability?date={day}").json()["slots"]
    assert next(s for s in slots if s["unit_id"] == "court-3" and s["start"] == "07:00")["state"] == "free"


def test_an_expired_hold_reads_as_free_before_any_sweep(api):
    day = fresh_day()
    held = api.held("resident-1", day, [("court-4", "11:00")])
    rewind(held["id"], 20)
    # no sweeper has run: the slot is free anyway, and another resident can take it
    other = api.held("resident-2", day, [("court-4", "11:00")])
    assert other["status"] == "held"


def test_late_payment_is_honoured_when_the_slot_is_still_free(api, local_stack):
    held = api.held("resident-1", fresh_day(), [("court-1", "11:00")])
    session_id = api.checkout("resident-1", held["id"])["reservation"]["checkout_session_id"]
    rewind(held["id"], 20)  # the hold ran out, the sweeper has not closed the checkout yet
    assert pay(local_stack, session_id)["paid"] is True
    settled = api.reservation("resident-1", held["id"])
    assert settled["status"] == "confirmed" and settled["payment_status"] == "paid"


def test_late_payment_is_refunded_when_someone_else_took_the_slot(api, local_stack):
    day = fresh_day()
    held = api.held("resident-1", day, [("court-2", "11:00")])
    session_id = api.checkout("resident-1", held["id"])["reservation"]["checkout_session_id"]
    rewind(held["id"], 20)
    taker = api.held("resident-2", day, [("court-2", "11:00")])
    assert pay(local_stack, session_id)["paid"] is True
    late = api.reservation("resident-1", held["id"])
    assert late["status"] == "expired" and late["payment_status"] == "refunded"
    assert late["refunded_amount"] == held["amount"]
    local_stack.streams.drain()  # the refund is owed with the settlement; the outbox worker sends it
    refunds = [r for r in local_stack.stripe.refunds.values() if r["payment_intent"] == late["payment_intent_id"]]
    assert [r["amount"] for r in refunds] == [held["amount"]]
    assert api.reservation("resident-1", held["id"])["refund_pending"] == 0
    assert api.reservation("resident-2", taker["id"])["status"] == "held"


def test_a_signed_event_for_a_checkout_stripe_does_not_know_is_acknowledged_and_ignored(api):
    # events/stripe: a well-formed event (e.g. from another account sharing the endpoint) about an unknown session
    event = json.loads((catalogue.ROOT / "events" / "stripe" / "checkout-session-completed.json").read_text())
    event["created"] = int(time.time())
    payload = json.dumps(event)
    response = post(api.url, payload, signed(payload))
    assert response.status_code == 200 and response.json()["outcome"] == "ignored"

"""Booking e-mails and refunds as effects on the local stack (issue 13): owed by the change in its own transaction,
sent by `outbox_effects` (the outbox's stream, then its schedule), once — whichever function made the change.
The Stripe refund faults are in test_faults.py and test_faults_storage.py; these are the e-mail paths."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
import requests

from madoguchi.shared.i18n import message
from tests.integration.reservations_helpers import Api, effect, fresh_day, pay, redrive_now, rewind

pytestmark = [pytest.mark.faults, pytest.mark.xdist_group("faults")]
EMAIL = "hanako@example.jp"  # resident-2's address on the resident record
FACILITY = "sogo-kaikan"  # caps are per facility and account: away from the many kasumi-tennis holds of the suite


@pytest.fixture
def api(stack_url: str, auth_header: Callable[[str], dict[str, str]]) -> Api:
    return Api(stack_url, auth_header)


@pytest.fixture
def faults(stack_url: str) -> Iterator[Callable[..., None]]:
    def arm(**fault: Any) -> None:
        response = requests.post(f"{stack_url}/_local/faults", json=fault, timeout=10)
        assert response.status_code == 200, response.text

    yield arm
    requests.delete(f"{stack_url}/_local/faults", timeout=10)


def mails_about(api: Api, reservation_id: str) -> list[dict[str, Any]]:
    outbox = requests.get(f"{api.url}/_local/outbox", params={"to": EMAIL}, timeout=10).json()
    return [m for m in outbox["messages"] if reservation_id in m["body"]]


def notify(reservation_id: str, notice: str) -> str:
    return f"reservations:{reservation_id}:notify:{notice}"


def test_a_payment_confirmed_by_the_sweeper_is_e_mailed_once(api: Api, local_stack: Any) -> None:
    """The known gap: the sweeper settled a late payment without any e-mail (its deps had no mailer)."""
    held = api.held("resident-2", fresh_day(), [("room-71", "13:00")], facility=FACILITY)
    session_id = api.checkout("resident-2", held["id"])["reservation"]["checkout_session_id"]
    requests.post(f"{local_stack.stripe.url}/_control/drop", json={"count": 1}, timeout=10).raise_for_status()
    assert pay(local_stack, session_id)["paid"] is True  # the webhook is lost
    rewind(held["id"], 20)  # the hold ran out: the sweeper closes its checkout, finds it paid and settles
    assert local_stack.run_scheduled("reservations_sweeper")["confirmed"] >= 1
    assert api.reservation("resident-2", held["id"])["status"] == "confirmed"
    local_stack.streams.drain()
    local_stack.run_scheduled("payments_reconciler")  # finds nothing more to do: no second e-mail
    local_stack.streams.drain()
    redrive_now(local_stack, notify(held["id"], "confirmed"))
    [mail] = mails_about(api, held["id"])
    assert message("reservation_mail_confirmed", "ja").format(yen=f"{held['amount']:,}") in mail["body"]


def test_ses_failing_leaves_the_booking_confirmed_and_the_e_mail_goes_later_once(
    api: Api, local_stack: Any, faults: Callable[..., None]
) -> None:
    held = api.held("resident-2", fresh_day(), [("room-72", "13:00")], facility=FACILITY)
    session_id = api.checkout("resident-2", held["id"])["reservation"]["checkout_session_id"]
    faults(provider="ses", status=500, match="outbound-emails", count=50)
    assert pay(local_stack, session_id)["paid"] is True  # the webhook confirms; SES refuses the e-mail
    assert api.reservation("resident-2", held["id"])["status"] == "confirmed"
    local_stack.streams.drain()
    owed = effect(notify(held["id"], "confirmed"))
    assert owed is not None and owed["queue"] == "EFFECT" and owed["attempts"] >= 1
    assert mails_about(api, held["id"]) == []
    requests.delete(f"{api.url}/_local/faults", timeout=10)
    redrive_now(local_stack, notify(held["id"], "confirmed"))
    redrive_now(local_stack, notify(held["id"], "confirmed"))  # done: not sent again
    assert len(mails_about(api, held["id"])) == 1
    assert "queue" not in (effect(notify(held["id"], "confirmed")) or {})


def test_a_cancellation_says_the_refund_is_on_its_way_until_stripe_confirms_it(
    api: Api, local_stack: Any, faults: Callable[..., None]
) -> None:
    held = api.held("resident-2", fresh_day(), [("room-81", "13:00")], facility=FACILITY)
    session_id = api.checkout("resident-2", held["id"])["reservation"]["checkout_session_id"]
    assert pay(local_stack, session_id)["paid"] is True
    faults(provider="stripe", status=503, match="POST /v1/refunds", count=1000)
    cancelled = api.call("POST", f"/reservations/{held['id']}/cancel", "resident-2", {})
    assert cancelled.status_code == 200, cancelled.text
    local_stack.streams.drain()
    mine = api.call("GET", "/me/reservations", "resident-2").json()["reservations"]
    row = next(r for r in mine if r["id"] == held["id"])
    assert row["status"] == "cancelled" and row["refund_pending"] == row["refunded_amount"] > 0  # on its way
    receipt = api.call("GET", f"/reservations/{held['id']}/receipt", "resident-2").json()
    assert receipt["refunded"] == 0  # the receipt counts only what Stripe confirmed
    requests.delete(f"{api.url}/_local/faults", timeout=10)
    redrive_now(local_stack, f"reservations:{held['id']}:refund")
    assert api.reservation("resident-2", held["id"])["refund_pending"] == 0
    receipt = api.call("GET", f"/reservations/{held['id']}/receipt", "resident-2").json()
    assert receipt["refunded"] == row["refunded_amount"]
    # the e-mail said so once: confirmed, then cancelled with the refund
    assert len(mails_about(api, held["id"])) == 2

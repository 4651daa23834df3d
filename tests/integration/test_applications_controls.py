"""Issue 13, flaws 3, 5 and 8 through the local stack (real Stripe SDK against the stand-in): four-eyes on proxy
input, a paid application resubmitted with more copies pays the difference, a rejected one is refunded once, an
expired checkout gives the application back."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.integration.test_applications_flow import Api, jpeg_with_location

pytestmark = pytest.mark.xdist_group("applications")


@pytest.fixture
def api(stack_url: str, auth_header: Callable[[str], dict[str, str]]) -> Api:
    return Api(stack_url, auth_header)


def session_of(payment_url: str) -> str:
    return payment_url.rstrip("/").rsplit("/", 1)[-1]


def test_one_staff_account_alone_cannot_type_confirm_approve_and_issue(api: Api):
    answers = {"subject": "self", "copies": 1, "purpose": "school", "delivery": "pickup"}
    typed = api.ok(
        "POST",
        "/applications",
        "staff-shimin",
        {"procedure": "juminhyo", "for_resident": "resident-pt", "answers": answers},
    )
    api.upload(typed["id"], "staff-shimin", jpeg_with_location(), kind="identity_document")
    assert (
        api.ok("POST", f"/applications/{typed['id']}/submit", "staff-shimin", {})["status"] == "awaiting_confirmation"
    )
    # The typist cannot confirm for the resident ...
    refused = api.call("POST", f"/applications/{typed['id']}/confirm", "staff-shimin", {"confirm": True})
    assert refused.status_code == 403 and refused.json()["code"] == "application_resident_must_confirm"
    assert api.ok("GET", f"/applications/{typed['id']}", "staff-shimin")["status"] == "awaiting_confirmation"
    # ... the resident does, with their own session; then the typist cannot approve, another clerk can
    api.ok("POST", f"/applications/{typed['id']}/confirm", "resident-pt", {"confirm": True})
    approve = {"decision": "approve"}
    refused = api.call("POST", f"/staff/applications/{typed['id']}/decision?lang=en", "staff-shimin", approve)
    assert refused.status_code == 403 and refused.json()["code"] == "application_four_eyes"
    assert "another staff member" in refused.json()["message"]
    assert api.ok("GET", f"/applications/{typed['id']}", "staff-shimin")["status"] == "received"


def test_more_copies_after_paying_pay_the_difference_before_a_certificate(api: Api, local_stack: Any):
    answers = {"subject": "self", "copies": 1, "purpose": "bank", "delivery": "pickup"}
    draft = api.ok("POST", "/applications", "resident-1", {"procedure": "juminhyo", "answers": answers})
    api.upload(draft["id"], "resident-1", jpeg_with_location(), kind="identity_document")
    waiting = api.ok("POST", f"/applications/{draft['id']}/submit", "resident-1", {})
    assert local_stack.stripe.pay(session_of(waiting["payment_url"]), "4242424242424242")[0]
    assert api.ok("POST", f"/applications/{draft['id']}/payment", "resident-1")["status"] == "received"
    api.ok("POST", f"/staff/applications/{draft['id']}/decision", "staff-shimin", {"decision": "return", "reason": "r"})
    api.ok("PATCH", f"/applications/{draft['id']}", "resident-1", {"answers": {"copies": 10}})
    again = api.ok("POST", f"/applications/{draft['id']}/submit", "resident-1", {})
    assert again["status"] == "awaiting_payment" and again["fee_yen"] == 3000 and not again["paid"]
    session = local_stack.stripe.sessions[session_of(again["payment_url"])]
    assert session["amount_total"] == 2700  # the difference only
    # Then paid: received, approved by staff and issued
    assert local_stack.stripe.pay(session["id"], "4242424242424242")[0]
    assert api.ok("GET", f"/applications/{draft['id']}", "resident-1")["status"] == "received"


def test_a_rejected_paid_application_is_refunded_once(api: Api, local_stack: Any):
    answers = {"subject": "self", "copies": 2, "purpose": "bank", "delivery": "pickup"}
    draft = api.ok("POST", "/applications", "resident-1", {"procedure": "juminhyo", "answers": answers})
    api.upload(draft["id"], "resident-1", jpeg_with_location(), kind="identity_document")
    waiting = api.ok("POST", f"/applications/{draft['id']}/submit", "resident-1", {})
    assert local_stack.stripe.pay(session_of(waiting["payment_url"]), "4242424242424242")[0]
    api.ok("POST", f"/applications/{draft['id']}/payment", "resident-1")
    refunds_before = len(local_stack.stripe.refunds)
    reject = {"decision": "reject", "reason": "対象外"}
    assert api.ok("POST", f"/staff/applications/{draft['id']}/decision", "staff-shimin", reject)["status"] == "rejected"
    assert api.call("POST", f"/staff/applications/{draft['id']}/decision", "staff-shimin", reject).status_code == 409
    local_stack.streams.drain()  # the outbox worker sends the refund the rejection owed
    refunds = list(local_stack.stripe.refunds.values())[refunds_before:]
    assert [r["amount"] for r in refunds] == [600]
    assert api.ok("GET", f"/applications/{draft['id']}", "resident-1")["refunded_yen"] == 600


def test_an_expired_checkout_gives_the_application_back(api: Api, local_stack: Any):
    answers = {"subject": "self", "copies": 1, "purpose": "bank", "delivery": "pickup"}
    draft = api.ok("POST", "/applications", "resident-1", {"procedure": "juminhyo", "answers": answers})
    api.upload(draft["id"], "resident-1", jpeg_with_location(), kind="identity_document")
    first = api.ok("POST", f"/applications/{draft['id']}/submit", "resident-1", {})
    # The resident changes their mind while the payment page is open: the old checkout is closed first
    changed = api.ok("PATCH", f"/applications/{draft['id']}", "resident-1", {"answers": {"copies": 2}})
    assert changed["status"] == "draft" and changed["payment_url"] is None
    assert local_stack.stripe.sessions[session_of(first["payment_url"])]["status"] == "expired"
    second = api.ok("POST", f"/applications/{draft['id']}/submit", "resident-1", {})
    assert second["status"] == "awaiting_payment" and second["payment_url"] != first["payment_url"]
    assert local_stack.stripe.sessions[session_of(second["payment_url"])]["amount_total"] == 600

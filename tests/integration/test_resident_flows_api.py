"""Resident flows through the local gateway (issue 16): drafts resumed and deleted only by their resident, the step
check as one 422, the fee receipt as JSON and PDF, the refund quoted before a cancellation, and booking e-mails in
the outbox with the exact link — each abuser (stranger, other resident, staff) answered with a clear 4xx."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import requests

from madoguchi.shared.i18n import message
from tests.integration.reservations_helpers import Api as BookingApi
from tests.integration.reservations_helpers import fresh_day, pay
from tests.integration.test_applications_flow import Api, jpeg_with_location

pytestmark = pytest.mark.xdist_group("applications")


@pytest.fixture
def api(stack_url: str, auth_header: Callable[[str], dict[str, str]]) -> Api:
    return Api(stack_url, auth_header)


def test_a_draft_is_resumed_and_only_its_resident_deletes_it(api: Api):
    first = api.ok("POST", "/applications", "resident-2", {"procedure": "tenkyo-todoke", "answers": {}})
    again = api.ok("POST", "/applications", "resident-2", {"procedure": "tenkyo-todoke", "answers": {}})
    assert again["id"] == first["id"]
    path = f"/applications/{first['id']}"
    assert api.call("DELETE", path, None).status_code == 401  # stranger
    other = api.call("DELETE", path, "resident-1")
    assert other.status_code == 404 and other.json()["code"] == "not_found"  # another resident: as if absent
    assert api.call("DELETE", path, "staff-shimin").status_code == 403
    gone = api.call("DELETE", path, "resident-2")
    assert gone.status_code == 204, gone.text
    assert api.call("GET", path, "resident-2").status_code == 404
    mine = api.ok("GET", "/me/applications", "resident-2")["applications"]
    assert first["id"] not in [a["id"] for a in mine]


def test_the_step_check_names_every_problem_and_a_submitted_application_stays(api: Api, local_stack: Any):
    draft = api.ok("POST", "/applications", "resident-1", {"procedure": "juminhyo", "answers": {"copies": 1}})
    path = f"/applications/{draft['id']}"
    checked = api.call("PATCH", f"{path}?lang=pt", "resident-1", {"answers": {}, "complete": True})
    assert checked.status_code == 422
    locs = [tuple(d["loc"]) for d in checked.json()["detail"]]
    assert ("body", "answers", "subject") in locs and ("body", "attachments", "identity_document") in locs
    assert all(d["msg"] for d in checked.json()["detail"])
    answers = {"subject": "self", "copies": 1, "purpose": "bank", "delivery": "pickup"}
    api.upload(draft["id"], "resident-1", jpeg_with_location(), kind="identity_document")
    assert api.ok("PATCH", path, "resident-1", {"answers": answers, "complete": True})["answers"]["copies"] == 1
    api.ok("POST", f"{path}/submit", "resident-1", {"return_url": f"{local_stack.url}/apply/"})
    assert api.call("GET", f"{path}/receipt", "resident-1").status_code == 404  # not paid yet
    refused = api.call("DELETE", path, "resident-1")
    assert refused.status_code == 409 and refused.json()["code"] == "application_not_deletable"


def test_a_question_page_is_checked_alone_in_the_residents_language(api: Api):
    # From a new draft: starting the procedure again resumes an open draft, and other tests leave answered ones
    for mine in api.ok("GET", "/me/applications", "resident-1")["applications"]:
        if mine["procedure"] == "juminhyo" and mine["status"] == "draft":
            assert api.call("DELETE", f"/applications/{mine['id']}", "resident-1").status_code == 204
    draft = api.ok("POST", "/applications", "resident-1", {"procedure": "juminhyo", "answers": {}})
    path = f"/applications/{draft['id']}"
    checked = api.call("PATCH", f"{path}?lang=vi", "resident-1", {"answers": {}, "step": ["copies"]})
    assert checked.status_code == 422
    [problem] = checked.json()["detail"]  # not the questions of the pages not yet shown
    assert problem["loc"] == ["body", "answers", "copies"] and problem["msg"] == message("field_missing", "vi")
    assert api.ok("PATCH", path, "resident-1", {"answers": {"copies": 2}, "step": ["copies"]})["answers"]["copies"] == 2
    unknown = api.call("PATCH", path, "resident-1", {"answers": {}, "step": ["no_such_question"]})
    assert unknown.status_code == 422 and unknown.json()["detail"][0]["loc"] == ["body", "step", 0]


def test_a_paid_fee_has_a_receipt_and_a_pdf(api: Api, local_stack: Any):
    answers = {"subject": "self", "copies": 1, "purpose": "bank", "delivery": "pickup"}
    draft = api.ok("POST", "/applications", "resident-1", {"procedure": "juminhyo", "answers": answers})
    api.upload(draft["id"], "resident-1", jpeg_with_location(), kind="identity_document")
    waiting = api.ok("POST", f"/applications/{draft['id']}/submit", "resident-1", {})
    session_id = next(
        sid for sid, s in local_stack.stripe.sessions.items() if s["metadata"]["reference"].endswith(draft["id"])
    )
    pay(local_stack, session_id)
    assert api.ok("POST", f"/applications/{draft['id']}/payment", "resident-1")["status"] == "received"
    receipt = api.ok("GET", f"/applications/{draft['id']}/receipt?lang=en", "resident-1")
    assert receipt["amount"] == waiting["fee_yen"] == 300 and receipt["code"] == draft["code"]
    assert api.call("GET", f"/applications/{draft['id']}/receipt", "resident-2").status_code == 404
    pdf = api.call("GET", f"/applications/{draft['id']}/receipt.pdf", "resident-1", Accept="application/pdf")
    assert pdf.status_code == 200 and pdf.content[:4] == b"%PDF"


def test_the_refund_is_quoted_and_booking_e_mails_carry_the_exact_link(
    stack_url: str, auth_header: Callable[[str], dict[str, str]], local_stack: Any
):
    booking = BookingApi(stack_url, auth_header)
    body = {
        "facility_id": "kasumi-tennis",
        "date": fresh_day(61).isoformat(),
        "slots": [{"unit_id": "court-4", "start": "19:00"}],
    }
    held = booking.call("POST", "/reservations?lang=vi", "resident-pt", body).json()
    checkout = booking.call("POST", f"/reservations/{held['id']}/checkout?lang=vi", "resident-pt", {}).json()
    pay(local_stack, checkout["reservation"]["checkout_session_id"])
    quote = booking.call("GET", f"/reservations/{held['id']}/cancellation", "resident-pt").json()
    assert quote["cancellable"] and quote["refund_percent"] == 100 and quote["refund"] == quote["paid"] > 0
    assert booking.call("GET", f"/reservations/{held['id']}/cancellation", "resident-1").status_code == 404
    assert booking.call("GET", f"/reservations/{held['id']}/cancellation").status_code == 401
    cancelled = booking.call("POST", f"/reservations/{held['id']}/cancel", "resident-pt", {})
    assert cancelled.json()["refund"] == quote["refund"]
    local_stack.streams.drain()  # booking e-mails are effects the outbox worker sends
    mails = requests.get(f"{stack_url}/_local/outbox", params={"to": "ana.souza@example.com"}, timeout=10).json()
    mine = [m for m in mails["messages"] if held["id"] in m["body"]]
    assert len(mine) == 2
    link = f"{local_stack.url}/reservations/?id={held['id']}&lang=vi"
    assert [m["body"].strip().splitlines()[-1] for m in mine] == [link, link]
    assert "Đặt chỗ" in mine[0]["subject"] and "hoàn" in mine[0]["body"]  # Vietnamese, with the refund

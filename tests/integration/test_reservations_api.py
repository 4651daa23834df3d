"""Facility reservations through the gateway: availability, holds (50 at once), checkout with the real Stripe SDK
against the local stand-in, cancellation with refunds, closures, fee reductions, receipts."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from tests.integration.reservations_helpers import FACILITY, Api, fresh_day, pay


@pytest.fixture
def api(stack_url, auth_header):
    return Api(stack_url, auth_header)


def test_facilities_are_listed_and_availability_shows_every_slot(api):
    # Given the demo facilities
    listed = api.call("GET", "/facilities?lang=en").json()["facilities"]
    assert len(listed) >= 6
    tennis = next(f for f in listed if f["id"] == FACILITY)
    assert tennis["name"] == "Kasumigaura Tennis Courts"
    # When a day's availability is asked for
    day = fresh_day()
    availability = api.call("GET", f"/facilities/{FACILITY}/availability?date={day}").json()
    # Then every unit has every slot, all free
    assert len(availability["slots"]) == 4 * 7
    assert {s["state"] for s in availability["slots"]} == {"free"}


def test_a_hold_takes_the_slot_and_a_second_hold_gets_409(api):
    day = fresh_day()
    first = api.held("resident-1", day, [("court-1", "09:00")])
    assert first["status"] == "held" and first["amount"] > 0
    # the slot now reads as held
    slots = api.call("GET", f"/facilities/{FACILITY}/availability?date={day}").json()["slots"]
    assert next(s for s in slots if s["unit_id"] == "court-1" and s["start"] == "09:00")["state"] == "held"
    # another resident is refused with a translated message, and nothing of theirs is written
    second = api.hold(
        "resident-2", day, [("court-1", "09:00"), ("court-2", "09:00")], headers={"Accept-Language": "pt"}
    )
    assert second.status_code == 409
    assert second.json()["code"] == "slot_taken"
    assert "Outra pessoa" in second.json()["message"]
    free = api.call("GET", f"/facilities/{FACILITY}/availability?date={day}").json()["slots"]
    assert next(s for s in free if s["unit_id"] == "court-2" and s["start"] == "09:00")["state"] == "free"


def test_fifty_concurrent_holds_on_one_slot_give_exactly_one_hold(api, auth_header):
    day = fresh_day()
    headers = auth_header("resident-1")

    def attempt(_: int) -> requests.Response:
        body = {"facility_id": FACILITY, "date": day.isoformat(), "slots": [{"unit_id": "court-3", "start": "13:00"}]}
        return requests.post(f"{api.url}/reservations", json=body, headers=headers, timeout=60)

    with ThreadPoolExecutor(max_workers=50) as pool:
        results = list(pool.map(attempt, range(50)))
    codes = sorted(r.status_code for r in results)
    assert codes.count(200) == 1
    assert codes.count(409) == 49
    assert all(r.json()["code"] == "slot_taken" for r in results if r.status_code == 409)


def test_bad_holds_are_refused_with_reasons(api):
    day = fresh_day()
    assert api.hold("resident-1", day, [("court-9", "09:00")]).json()["code"] == "slot_unavailable"
    assert api.hold("resident-1", day, [("court-1", "08:00")]).status_code == 422
    assert api.hold("resident-1", day, [("court-1", "09:00"), ("court-1", "09:00")]).status_code == 422
    assert api.hold("resident-1", day, [("court-1", "09:00")], facility="nowhere").status_code == 404
    past = fresh_day(-2)
    assert api.hold("resident-1", past, [("court-1", "09:00")]).json()["code"] == "slot_unavailable"


@pytest.mark.parametrize(
    ("method", "path", "user", "status"),
    [
        ("POST", "/reservations", None, 401),
        ("POST", "/reservations", "staff-shimin", 403),
        ("POST", "/reservations", "kiosk-1", 403),
        ("GET", "/me/reservations", None, 401),
        ("GET", "/me/reservations", "staff-shisetsu", 403),
        ("GET", "/staff/fee-reductions", "resident-1", 403),
        ("GET", "/staff/fee-reductions", "staff-shimin", 403),
        ("GET", "/staff/facilities/chuo-gym", "resident-1", 403),
        ("GET", "/staff/facilities/chuo-gym", "staff-hoken", 403),
        ("GET", "/staff/facilities/chuo-gym", None, 401),
        ("POST", "/staff/facilities/chuo-gym/closures", "staff-zei", 403),
        ("POST", "/staff/lottery/yokkaichi-dome/2030-01/draw", "resident-1", 403),
    ],
)
def test_who_may_call_what(api, method, path, user, status):
    body = {
        "facility_id": FACILITY,
        "date": fresh_day().isoformat(),
        "slots": [{"unit_id": "court-1", "start": "07:00"}],
    }
    if "closures" in path:
        body = {"date": fresh_day().isoformat(), "reason": "x"}
    assert api.call(method, path, user, body if method == "POST" else None).status_code == status


def test_pay_by_card_confirms_the_booking_and_issues_a_receipt(api, local_stack):
    day = fresh_day()
    held = api.held("resident-1", day, [("court-2", "15:00"), ("court-2", "17:00")])
    # When the resident checks out (twice: the same Checkout Session comes back)
    first = api.checkout("resident-1", held["id"])
    again = api.checkout("resident-1", held["id"])
    assert first["checkout_url"] == again["checkout_url"]
    session_id = first["reservation"]["checkout_session_id"]
    assert local_stack.stripe.sessions[session_id]["amount_total"] == held["amount"]
    assert local_stack.stripe.sessions[session_id]["metadata"]["reference"] == f"reservation:{held['id']}"
    # and pays with the success card
    assert pay(local_stack, session_id)["paid"] is True
    # Then the signed webhook confirmed it
    confirmed = api.reservation("resident-1", held["id"])
    assert confirmed["status"] == "confirmed" and confirmed["payment_status"] == "paid"
    slots = api.call("GET", f"/facilities/{FACILITY}/availability?date={day}").json()["slots"]
    assert {s["state"] for s in slots if s["unit_id"] == "court-2" and s["start"] in ("15:00", "17:00")} == {"booked"}
    # and a receipt exists, as JSON and as a PDF
    receipt = api.call("GET", f"/reservations/{held['id']}/receipt", "resident-1").json()
    assert receipt["amount"] == held["amount"]
    pdf = api.call("GET", f"/reservations/{held['id']}/receipt.pdf", "resident-1")
    assert pdf.status_code == 200 and pdf.headers["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    # nobody else can read it
    assert api.call("GET", f"/reservations/{held['id']}/receipt", "resident-2").status_code == 404
    # and it is in my reservations
    mine = api.call("GET", "/me/reservations", "resident-1").json()["reservations"]
    assert any(r["id"] == held["id"] for r in mine)


@pytest.mark.parametrize("card", ["4000000000000002", "4000000000009995"])
def test_a_declined_card_leaves_the_hold_unpaid(api, local_stack, card):
    day = fresh_day()
    held = api.held("resident-2", day, [("court-4", "07:00")])
    session_id = api.checkout("resident-2", held["id"])["reservation"]["checkout_session_id"]
    result = pay(local_stack, session_id, card)
    assert result["paid"] is False
    assert result["reason"] in ("card_declined", "insufficient_funds")
    still = api.reservation("resident-2", held["id"])
    assert still["status"] == "held" and still["payment_status"] == "pending"
    # the success card still works afterwards
    assert pay(local_stack, session_id)["paid"] is True
    assert api.reservation("resident-2", held["id"])["status"] == "confirmed"


def test_facility_staff_read_any_reservation_other_staff_may_not(api):
    held = api.held("resident-1", fresh_day(), [("court-4", "17:00")])
    assert api.call("GET", f"/reservations/{held['id']}", "staff-shisetsu").json()["id"] == held["id"]
    assert api.call("GET", f"/reservations/{held['id']}", "staff-shimin").status_code == 403
    assert api.call("GET", f"/reservations/{held['id']}", "kiosk-1").status_code == 403
    assert api.call("GET", f"/reservations/{held['id']}", "resident-2").status_code == 404
    assert api.call("GET", f"/reservations/{held['id']}").status_code == 401

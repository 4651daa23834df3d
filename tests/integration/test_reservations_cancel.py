"""Cancellation with the refund policy, closures by staff with full refunds, fee reductions (減免)."""

from __future__ import annotations

from datetime import datetime

import pytest

from tests.integration.reservations_helpers import TOKYO, Api, fresh_day, pay, redrive_now, refund_effect


@pytest.fixture
def api(stack_url, auth_header):
    return Api(stack_url, auth_header)


def booked(api: Api, stack, user: str, day, slots, facility: str = "kasumi-tennis") -> dict:
    held = api.held(user, day, slots, facility=facility)
    session_id = api.checkout(user, held["id"])["reservation"]["checkout_session_id"]
    assert pay(stack, session_id)["paid"] is True
    return api.reservation(user, held["id"])


def refunds_of(stack, intent: str) -> list[int]:
    return [r["amount"] for r in stack.stripe.refunds.values() if r["payment_intent"] == intent]


@pytest.mark.parametrize("days_ahead", [20, 7, 3, 1])
def test_a_resident_cancels_and_is_refunded_by_the_policy(api, local_stack, days_ahead):
    day = fresh_day(days_ahead)
    # a facility and time no other test books, since these days are fixed rather than fresh
    reservation = booked(api, local_stack, "resident-1", day, [("room-81", "20:00")], facility="sogo-kaikan")
    response = api.call("POST", f"/reservations/{reservation['id']}/cancel", "resident-1", {"reason": "予定変更"})
    assert response.status_code == 200, response.text
    result = response.json()
    assert result["reservation"]["refund_pending"] == result["refund"]  # on its way: the outbox worker sends it
    local_stack.streams.drain()
    days = (day - datetime.now(TOKYO).date()).days  # the year-end closure may have moved the day
    assert result["refund_percent"] == (100 if days >= 7 else 50)
    assert result["refund"] == reservation["amount"] * result["refund_percent"] // 100
    assert refunds_of(local_stack, reservation["payment_intent_id"]) == [result["refund"]]
    assert api.reservation("resident-1", reservation["id"])["refund_pending"] == 0
    # the slot is free again, and a second cancel is refused
    slots = api.call("GET", f"/facilities/sogo-kaikan/availability?date={day}").json()["slots"]
    assert next(s for s in slots if s["unit_id"] == "room-81" and s["start"] == "20:00")["state"] == "free"
    again = api.call("POST", f"/reservations/{reservation['id']}/cancel", "resident-1", {})
    assert again.status_code == 409 and again.json()["code"] == "reservation_not_cancellable"


def test_someone_elses_reservation_cannot_be_cancelled(api, local_stack):
    reservation = api.held("resident-1", fresh_day(), [("court-1", "17:00")])
    assert api.call("POST", f"/reservations/{reservation['id']}/cancel", "resident-2", {}).status_code == 404
    assert api.call("POST", f"/reservations/{reservation['id']}/checkout", "resident-2", {}).status_code == 404


def test_a_held_reservation_is_cancelled_without_payment_and_its_checkout_closed(api, local_stack):
    held = api.held("resident-1", fresh_day(), [("court-2", "07:00")])
    session_id = api.checkout("resident-1", held["id"])["reservation"]["checkout_session_id"]
    result = api.call("POST", f"/reservations/{held['id']}/cancel", "resident-1", {}).json()
    assert result["reservation"]["status"] == "cancelled" and result["refund"] == 0
    assert local_stack.stripe.sessions[session_id]["status"] == "expired"


def test_a_closure_cancels_every_reservation_of_the_day_with_full_refunds(api, local_stack):
    day = fresh_day(5, closed_weekdays=(6,))  # 50 % if the resident cancelled: the city refunds in full
    first = booked(api, local_stack, "resident-1", day, [("room", "09:00")], facility="tokiwa-center")
    second = booked(api, local_stack, "resident-2", day, [("washitsu", "11:30")], facility="tokiwa-center")
    held = api.held("resident-pt", day, [("room", "14:00")], facility="tokiwa-center")
    response = api.call(
        "POST",
        "/staff/facilities/tokiwa-center/closures",
        "staff-shisetsu",
        {"date": day.isoformat(), "reason": "設備点検"},
    )
    assert response.status_code == 200, response.text
    result = response.json()
    assert set(result["cancelled"]) == {first["id"], second["id"], held["id"]}
    assert result["refunded"] == first["amount"] + second["amount"]
    local_stack.streams.drain()  # the outbox worker sends each refund owed, once
    redrive_now(local_stack, refund_effect(first["id"]), refund_effect(second["id"]))
    assert refunds_of(local_stack, first["payment_intent_id"]) == [first["amount"]]
    assert refunds_of(local_stack, second["payment_intent_id"]) == [second["amount"]]
    availability = api.call("GET", f"/facilities/tokiwa-center/availability?date={day}").json()
    assert availability["closed"] is True
    assert {s["state"] for s in availability["slots"]} == {"closed"}
    assert (
        api.hold("resident-1", day, [("room", "19:00")], facility="tokiwa-center").json()["code"] == "slot_unavailable"
    )
    bookings = api.call("GET", f"/staff/facilities/tokiwa-center/bookings?date={day}", "staff-shisetsu").json()
    assert {b["state"] for b in bookings["bookings"]} == {"closed"}


def test_staff_see_the_days_bookings(api, local_stack):
    day = fresh_day()
    reservation = api.held("resident-1", day, [("court-3", "09:00")])
    bookings = api.call("GET", f"/staff/facilities/kasumi-tennis/bookings?date={day}", "staff-shisetsu").json()
    row = next(b for b in bookings["bookings"] if b["unit_id"] == "court-3" and b["start"] == "09:00")
    assert row["reservation_id"] == reservation["id"] and row["status"] == "held"


def test_fee_reduction_is_requested_approved_once_and_applied(api, local_stack):
    # A senior club asks for the reduction; it is not usable until approved
    asked = api.call("POST", "/me/fee-reductions", "resident-2", {"category": "senior", "group_name": "寿クラブ"})
    assert asked.status_code == 200 and asked.json()["status"] == "pending"
    day = fresh_day()
    assert (
        api.hold("resident-2", day, [("court-1", "13:00")], use_reduction=True).json()["code"]
        == "no_approved_reduction"
    )
    pending = api.call("GET", "/staff/fee-reductions", "staff-shisetsu").json()["reductions"]
    assert any(r["id"] == asked.json()["id"] for r in pending)
    decided = api.call(
        "POST", f"/staff/fee-reductions/{asked.json()['id']}/decide", "staff-shisetsu", {"approve": True}
    )
    assert decided.status_code == 200 and decided.json()["status"] == "approved"
    twice = api.call("POST", f"/staff/fee-reductions/{asked.json()['id']}/decide", "staff-shisetsu", {"approve": False})
    assert twice.status_code == 409
    # Then a hold with the reduction costs half
    held = api.held("resident-2", day, [("court-1", "13:00")], use_reduction=True)
    assert held["reduction_percent"] == 50 and held["amount"] == held["base_amount"] // 2


def test_a_full_exemption_confirms_without_payment(api, local_stack):
    asked = api.call("POST", "/me/fee-reductions", "resident-pt", {"category": "disability", "group_name": "Grupo A"})
    api.call("POST", f"/staff/fee-reductions/{asked.json()['id']}/decide", "staff-shisetsu", {"approve": True})
    held = api.held("resident-pt", fresh_day(), [("court-2", "13:00")], use_reduction=True)
    assert held["amount"] == 0
    result = api.checkout("resident-pt", held["id"])
    assert result["checkout_url"] is None
    assert result["reservation"]["status"] == "confirmed" and result["reservation"]["payment_status"] == "free"

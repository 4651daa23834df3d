"""Routes of the reservations context whose results had no test, and issue 13's flaws at the HTTP level: caps that
parallel requests cannot pass (configured per facility by staff), retries with an Idempotency-Key, a return URL of
another site, a refund that survives a failing Stripe (the stand-in answering 500) and the sweep that sends it."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import requests

from tests.integration.reservations_helpers import FACILITY, Api, effect, fresh_day, pay, redrive_now, refund_effect

STUDIO = "sakura-studio"  # integration tests book it only here: its caps can be changed here


@pytest.fixture
def api(stack_url, auth_header):
    return Api(stack_url, auth_header)


@pytest.fixture
def studio(api):
    """The studio's settings, tightened for the test through the staff API and put back afterwards."""
    original = api.call("GET", f"/staff/facilities/{STUDIO}", "staff-shisetsu").json()
    yield original
    assert api.call("PUT", f"/staff/facilities/{STUDIO}", "staff-shisetsu", original).status_code == 200


def test_staff_change_a_facilitys_settings_and_everyone_sees_them(api, studio):
    changed = {**studio, "capacity": studio["capacity"] + 1, "max_holds": 3}
    response = api.call("PUT", f"/staff/facilities/{STUDIO}", "staff-shisetsu", changed)
    assert response.status_code == 200 and response.json()["max_holds"] == 3
    assert api.call("GET", f"/staff/facilities/{STUDIO}", "staff-shisetsu").json() == response.json()
    listed = api.call("GET", "/facilities").json()["facilities"]
    assert next(f for f in listed if f["id"] == STUDIO)["capacity"] == studio["capacity"] + 1
    # other staff, residents and a body for another id are refused, and nothing changes
    for user, body, status in (
        ("staff-shimin", {**changed, "capacity": 99}, 403),
        ("resident-1", {**changed, "capacity": 99}, 403),
        ("staff-shisetsu", {**changed, "id": "kasumi-tennis", "capacity": 99}, 422),
    ):
        assert api.call("PUT", f"/staff/facilities/{STUDIO}", user, body).status_code == status
    assert api.call("GET", f"/staff/facilities/{STUDIO}", "staff-shisetsu").json() == response.json()


def test_the_month_calendar_counts_free_and_taken_slots(api):
    day = fresh_day()
    month = day.isoformat()[:7]
    before = api.call("GET", f"/facilities/kasumi-tennis/calendar?month={month}").json()
    api.held("resident-2", day, [("court-4", "19:00")])
    after = api.call("GET", f"/facilities/kasumi-tennis/calendar?month={month}").json()
    first, second = (next(d for d in view["days"] if d["date"] == day.isoformat()) for view in (before, after))
    assert (second["free"], second["taken"]) == (first["free"] - 1, first["taken"] + 1)
    assert len(after["days"]) >= 28 and after["month"] == month
    assert api.call("GET", "/facilities/kasumi-tennis/calendar?month=2030-13").status_code == 422
    assert api.call("GET", f"/facilities/nowhere/calendar?month={month}").status_code == 404


def test_my_fee_reductions_lists_mine_only(api):
    group = f"子ども会 {uuid.uuid4().hex[:6]}"
    asked = api.call("POST", "/me/fee-reductions", "resident-pt", {"category": "children", "group_name": group})
    assert asked.status_code == 200
    mine = api.call("GET", "/me/fee-reductions", "resident-pt").json()["reductions"]
    assert [r["id"] for r in mine if r["group_name"] == group] == [asked.json()["id"]]
    assert all(
        r["id"] != asked.json()["id"] for r in api.call("GET", "/me/fee-reductions", "resident-2").json()["reductions"]
    )
    assert api.call("GET", "/me/fee-reductions").status_code == 401


def test_parallel_holds_cannot_pass_the_facilitys_cap(api, auth_header, studio):
    """Issue 13 flaw 6: one resident held 432 slots in 60 requests."""
    # From no holds: the browser tests also hold the studio as this account, and share this worker's stack.
    for mine in api.call("GET", "/me/reservations", "resident-2").json()["reservations"]:
        if mine["facility_id"] == STUDIO and mine["status"] == "held":
            assert api.call("POST", f"/reservations/{mine['id']}/cancel", "resident-2", {}).status_code == 200
    assert (
        api.call("PUT", f"/staff/facilities/{STUDIO}", "staff-shisetsu", {**studio, "max_holds": 2}).status_code == 200
    )
    day = fresh_day(40, closed_weekdays=tuple(studio["closed_weekdays"]))
    starts = [s for s in api.call("GET", f"/facilities/{STUDIO}/availability?date={day}").json()["slots"]]
    headers = {**auth_header("resident-2"), "Accept-Language": "en"}

    def attempt(slot: dict[str, Any]) -> requests.Response:
        body = {
            "facility_id": STUDIO,
            "date": day.isoformat(),
            "slots": [{"unit_id": slot["unit_id"], "start": slot["start"]}],
        }
        return requests.post(f"{api.url}/reservations", json=body, headers=headers, timeout=60)

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(attempt, starts[:8]))
    refused = [r.json() for r in results if r.status_code != 200]
    assert sorted(r.status_code for r in results).count(200) == 2, refused
    assert {r["code"] for r in refused} == {"reservation_hold_limit"} and "unpaid holds" in refused[0]["message"]
    taken = [
        s
        for s in api.call("GET", f"/facilities/{STUDIO}/availability?date={day}").json()["slots"]
        if s["state"] == "held"
    ]
    assert len(taken) == 2
    for held in (r.json() for r in results if r.status_code == 200):  # free the studio for the next test
        assert api.call("POST", f"/reservations/{held['id']}/cancel", "resident-2", {}).status_code == 200


def test_a_retried_hold_with_an_idempotency_key_makes_one_hold(api):
    """Issue 13 flaw 7."""
    day = fresh_day()
    key = {"Idempotency-Key": uuid.uuid4().hex}
    first = api.hold("resident-2", day, [("court-3", "07:00")], headers=key)
    again = api.hold("resident-2", day, [("court-3", "07:00")], headers=key)
    assert first.status_code == again.status_code == 200 and again.json()["id"] == first.json()["id"]
    mine = api.call("GET", "/me/reservations", "resident-2").json()["reservations"]
    assert [r["id"] for r in mine if r["date"] == day.isoformat() and r["slots"][0]["start"] == "07:00"] == [
        first.json()["id"]
    ]


def test_checkout_refuses_a_return_url_of_another_site(api, local_stack):
    """Issue 13 flaw 2: `http://<site>@evil.example/` names the host evil.example."""
    held = api.held("resident-2", fresh_day(), [("court-3", "19:00")])
    site = local_stack.url.split("://", 1)[1]
    for url in (f"http://{site}@evil.example/", "//evil.example/", "https://evil.example/reservations/"):
        response = api.call("POST", f"/reservations/{held['id']}/checkout", "resident-2", {"return_url": url})
        assert response.status_code == 422 and response.json()["detail"][0]["type"] == "not_this_site"
    assert api.reservation("resident-2", held["id"])["checkout_session_id"] is None
    fine = api.call(
        "POST", f"/reservations/{held['id']}/checkout", "resident-2", {"return_url": "/reservations/?lang=vi"}
    )
    assert fine.status_code == 200
    session = local_stack.stripe.sessions[fine.json()["reservation"]["checkout_session_id"]]
    assert session["success_url"].startswith(f"{local_stack.url}/reservations/?lang=vi&paid=")


def test_a_refund_survives_a_failing_stripe_and_a_retried_cancel_refunds_once(api, local_stack, monkeypatch):
    """Issue 13 flaws 8 and 7: the stand-in answers 503 to refunds; the cancellation still happens, the refund
    stays owed (an effect, tried by the outbox worker) and is sent once Stripe answers again; a retried cancel
    returns the first result."""
    day = fresh_day(20)  # far enough ahead for a full refund; other tests' days may reach it, so a free slot
    availability = api.call("GET", f"/facilities/{FACILITY}/availability?date={day}").json()["slots"]
    free = next(s for s in availability if s["state"] == "free")
    held = api.held("resident-2", day, [(free["unit_id"], free["start"])])
    session_id = api.checkout("resident-2", held["id"])["reservation"]["checkout_session_id"]
    assert pay(local_stack, session_id)["paid"] is True
    booked = api.reservation("resident-2", held["id"])
    stripe = local_stack.stripe
    handle = stripe.handle

    def outage(request):  # Stripe unreachable for refunds (answered before its idempotency layer, as an outage is)
        if request.path.startswith("/v1/refunds"):
            return stripe._error(503, "api_error", "Service unavailable")
        return handle(request)

    monkeypatch.setattr(stripe, "handle", outage)
    key = {"Idempotency-Key": uuid.uuid4().hex}
    first = api.call("POST", f"/reservations/{held['id']}/cancel", "resident-2", {}, headers=key)
    assert first.status_code == 200, first.text
    assert first.json()["reservation"]["status"] == "cancelled"
    assert first.json()["reservation"]["refund_pending"] == booked["amount"]
    local_stack.streams.drain()
    redrive_now(local_stack, refund_effect(held["id"]))  # Stripe still down: still owed
    assert [r for r in stripe.refunds.values() if r["payment_intent"] == booked["payment_intent_id"]] == []
    assert api.reservation("resident-2", held["id"])["refund_pending"] == booked["amount"]
    assert effect(refund_effect(held["id"]))["attempts"] >= 2
    monkeypatch.undo()
    redrive_now(local_stack, refund_effect(held["id"]))
    refunds = [r["amount"] for r in stripe.refunds.values() if r["payment_intent"] == booked["payment_intent_id"]]
    assert refunds == [booked["amount"]]
    assert api.reservation("resident-2", held["id"])["refund_pending"] == 0
    again = api.call("POST", f"/reservations/{held['id']}/cancel", "resident-2", {}, headers=key)
    assert again.status_code == 200 and again.json()["refund"] == first.json()["refund"]
    local_stack.streams.drain()
    redrive_now(local_stack, refund_effect(held["id"]))
    assert [
        r["amount"] for r in stripe.refunds.values() if r["payment_intent"] == booked["payment_intent_id"]
    ] == refunds

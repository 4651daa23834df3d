"""Routes whose result no other test asserted: a queue ticket's cancel, a facility's settings (PUT), a facility's
month calendar and a resident's own fee reductions. Each refusal also proves that nothing changed."""

from __future__ import annotations

import calendar as month_days
import copy
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from typing import Any

import pytest
import requests

from tests.integration.reservations_helpers import Api, fresh_day

Call = Callable[..., requests.Response]


@pytest.fixture
def api(stack_url: str, auth_header: Callable[[str], dict[str, str]]) -> Api:
    return Api(stack_url, auth_header)


# --- POST /queues/{counterId}/tickets/{ticketId}/cancel ---------------------------------------------------------


def issue(api: Api, counter: str = "hoken", service: str = "nenkin") -> dict[str, Any]:
    response = api.call("POST", f"/queues/{counter}/tickets", "ticket-1", {"service": service})
    assert response.status_code == 200, response.text
    return dict(response.json())


def live_numbers(api: Api, counter: str = "hoken", staff: str = "staff-hoken") -> list[int]:
    response = api.call("GET", f"/queues/{counter}/tickets", staff)
    assert response.status_code == 200, response.text
    return [t["number"] for t in response.json()["tickets"]]


def public_view(api: Api, ticket_id: str) -> dict[str, Any]:
    response = api.call("GET", f"/tickets/{ticket_id}")
    assert response.status_code == 200, response.text
    return dict(response.json())


def test_staff_cancel_takes_a_waiting_ticket_out_of_the_queue(api):
    # Given two waiting tickets at 保険年金
    first, second = issue(api), issue(api)
    ahead_before = public_view(api, second["id"])["ahead"]
    assert ahead_before == public_view(api, first["id"])["ahead"] + 1
    waiting_before = api.call("GET", "/queues/hoken/status").json()["waiting"]

    # When its clerk cancels the first one (the resident left)
    response = api.call("POST", f"/queues/hoken/tickets/{first['id']}/cancel", "staff-hoken")

    # Then it is cancelled everywhere: the answer, its status page, the staff list and the counter's status
    assert response.status_code == 200, response.text
    assert response.json()["id"] == first["id"] and response.json()["state"] == "cancelled"
    assert public_view(api, first["id"])["state"] == "cancelled"
    assert first["number"] not in live_numbers(api) and second["number"] in live_numbers(api)
    assert api.call("GET", "/queues/hoken/status").json()["waiting"] == waiting_before - 1
    # and the one behind it moved up
    assert public_view(api, second["id"])["ahead"] == ahead_before - 1
    # A cancelled ticket cannot be cancelled again
    again = api.call("POST", f"/queues/hoken/tickets/{first['id']}/cancel", "staff-hoken")
    assert again.status_code == 409 and again.json()["code"]


@pytest.mark.parametrize(
    ("user", "counter", "status"),
    [
        (None, "hoken", 401),
        ("resident-1", "hoken", 403),  # the ticket's holder is not its clerk
        ("ticket-1", "hoken", 403),  # the machine that printed it
        ("kiosk-1", "hoken", 403),
        ("staff-zei", "hoken", 403),  # a clerk of another department
        ("staff-zei", "zei", 404),  # through a counter the ticket is not at
    ],
)
def test_cancel_refused_changes_nothing(api, user, counter, status):
    ticket = issue(api)
    before = public_view(api, ticket["id"])
    waiting_before = api.call("GET", "/queues/hoken/status").json()["waiting"]

    response = api.call("POST", f"/queues/{counter}/tickets/{ticket['id']}/cancel", user)

    assert response.status_code == status, response.text
    assert response.json()["code"] and response.json()["message"]
    after = public_view(api, ticket["id"])
    assert after["state"] == "waiting" and after == before
    assert ticket["number"] in live_numbers(api)
    assert api.call("GET", "/queues/hoken/status").json()["waiting"] == waiting_before


def test_cancel_of_an_unknown_ticket_is_404(api):
    ticket = issue(api)
    forged = ticket["id"][:-8] + ("0" * 8 if not ticket["id"].endswith("0" * 8) else "1" * 8)
    response = api.call("POST", f"/queues/hoken/tickets/{forged}/cancel", "staff-hoken")
    assert response.status_code == 404
    assert public_view(api, ticket["id"])["state"] == "waiting"


# --- PUT /staff/facilities/{facilityId} ----------------------------------------------------------------------

FACILITY = "bunka-hall"  # no other test books it: its settings may change for the length of a test


@pytest.fixture
def hall_settings(api: Api) -> Iterator[dict[str, Any]]:
    """bunka-hall's settings as staff see them; put back afterwards (tests share one stack)."""
    response = api.call("GET", f"/staff/facilities/{FACILITY}", "staff-shisetsu")
    assert response.status_code == 200, response.text
    original = dict(response.json())
    yield copy.deepcopy(original)
    restored = api.call("PUT", f"/staff/facilities/{FACILITY}", "staff-shisetsu", original)
    assert restored.status_code == 200, restored.text


def next_weekday(weekday: int, day: date) -> date:
    """`day` or the first such weekday after it, outside the year-end closure (29 Dec – 3 Jan)."""
    while day.weekday() != weekday or (day.month, day.day) >= (12, 29) or (day.month, day.day) <= (1, 3):
        day += timedelta(days=1)
    return day


def test_staff_change_a_facilitys_settings_and_the_public_pages_follow(api, hall_settings):
    # Given the hall, open on Thursdays at its current price
    thursday = next_weekday(3, fresh_day(offset=10))
    assert 3 not in hall_settings["closed_weekdays"]
    assert api.call("GET", f"/facilities/{FACILITY}/availability?date={thursday}").json()["closed"] is False

    # When 施設管理課 closes it on Thursdays and raises the weekday price
    prices = {**hall_settings["prices"], "resident_weekday": hall_settings["prices"]["resident_weekday"] + 500}
    changed = {**hall_settings, "closed_weekdays": [*hall_settings["closed_weekdays"], 3], "prices": prices}
    response = api.call("PUT", f"/staff/facilities/{FACILITY}", "staff-shisetsu", changed)

    # Then the answer, the staff view, the public list, the day and the month all show the new settings
    assert response.status_code == 200, response.text
    assert response.json()["closed_weekdays"] == changed["closed_weekdays"] and response.json()["prices"] == prices
    assert api.call("GET", f"/staff/facilities/{FACILITY}", "staff-shisetsu").json() == response.json()
    assert api.call("GET", f"/facilities/{FACILITY}/availability?date={thursday}").json()["closed"] is True
    month = api.call("GET", f"/facilities/{FACILITY}/calendar?month={thursday:%Y-%m}").json()
    assert all(d["closed"] for d in month["days"] if date.fromisoformat(d["date"]).weekday() == 3)
    listed = api.call("GET", "/facilities?lang=en").json()
    assert FACILITY in str(listed)


@pytest.mark.parametrize(
    ("user", "change", "status"),
    [
        (None, {}, 401),
        ("resident-1", {}, 403),
        ("kiosk-1", {}, 403),
        ("staff-shimin", {}, 403),  # staff, but not of 施設管理課
        ("staff-shisetsu", {"id": "chuo-gym"}, 422),  # the body names another facility
        ("staff-shisetsu", {"units": []}, 422),  # a facility with no unit
        ("staff-shisetsu", {"slot_minutes": 5}, 422),
        ("staff-shisetsu", {"closed_weekdays": [9]}, 422),
        ("staff-shisetsu", {"prices": {"resident_weekday": -1}}, 422),
    ],
)
def test_settings_change_refused_changes_nothing(api, hall_settings, user, change, status):
    body = {**hall_settings, "capacity": hall_settings["capacity"] + 1, **change}
    if "prices" in change:
        body["prices"] = {**hall_settings["prices"], **change["prices"]}

    response = api.call("PUT", f"/staff/facilities/{FACILITY}", user, body)

    assert response.status_code == status, response.text
    assert response.json()["code"]
    assert api.call("GET", f"/staff/facilities/{FACILITY}", "staff-shisetsu").json() == hall_settings
    assert api.call("GET", "/staff/facilities/chuo-gym", "staff-shisetsu").json()["id"] == "chuo-gym"


# --- GET /facilities/{facilityId}/calendar -------------------------------------------------------------------


def test_month_calendar_counts_free_and_taken_slots_per_day(api):
    # Given a future day at the tennis courts (4 courts × 7 two-hour slots, open every day)
    day = fresh_day()
    month = f"{day:%Y-%m}"
    before = api.call("GET", f"/facilities/kasumi-tennis/calendar?month={month}")
    assert before.status_code == 200, before.text
    days = {d["date"]: d for d in before.json()["days"]}
    # one entry per day of the month, in order
    assert list(days) == [
        date(day.year, day.month, n).isoformat() for n in range(1, month_days.monthrange(day.year, day.month)[1] + 1)
    ]
    slots = api.call("GET", f"/facilities/kasumi-tennis/availability?date={day}").json()["slots"]
    assert len(slots) == 28
    entry = days[day.isoformat()]
    assert entry["closed"] is False
    assert entry["free"] == sum(s["state"] == "free" for s in slots)
    assert entry["free"] + entry["taken"] == 28
    closed = [d for d in days.values() if d["closed"]]
    for d in closed[:2]:  # a closed day (year end) has nothing to book
        assert api.call("GET", f"/facilities/kasumi-tennis/availability?date={d['date']}").json()["closed"] is True

    # When a resident holds two of that day's slots
    api.held("resident-pt", day, [("court-1", "09:00"), ("court-2", "09:00")])  # few holds of hers elsewhere (caps)

    # Then that day shows two more taken and two fewer free; other days are unchanged
    after = {d["date"]: d for d in api.call("GET", f"/facilities/kasumi-tennis/calendar?month={month}").json()["days"]}
    assert after[day.isoformat()]["taken"] == entry["taken"] + 2
    assert after[day.isoformat()]["free"] == entry["free"] - 2
    others = [d for d in days if d != day.isoformat()]
    assert {d: after[d]["closed"] for d in others} == {d: days[d]["closed"] for d in others}


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/facilities/kasumi-tennis/calendar?month=2026-13", 422),
        ("/facilities/kasumi-tennis/calendar?month=2026-1", 422),
        ("/facilities/kasumi-tennis/calendar?month=next", 422),
        ("/facilities/kasumi-tennis/calendar", 422),
        ("/facilities/no-such-hall/calendar?month=2026-12", 404),
    ],
)
def test_month_calendar_refuses_bad_months_and_unknown_facilities(api, path, status):
    response = api.call("GET", path)
    assert response.status_code == status, response.text
    assert response.json()["code"] and response.json()["message"]


# --- GET /me/fee-reductions ----------------------------------------------------------------------------------


def test_my_fee_reductions_show_my_requests_and_their_decisions_only(api):
    # Given resident-1 asks for a reduction for a club
    mine_before = api.call("GET", "/me/fee-reductions", "resident-1")
    assert mine_before.status_code == 200, mine_before.text
    asked = api.call("POST", "/me/fee-reductions", "resident-1", {"category": "senior", "group_name": "長寿会 A"})
    assert asked.status_code == 200, asked.text
    request_id = asked.json()["id"]

    # Then it is listed as theirs, pending
    listed = {r["id"]: r for r in api.call("GET", "/me/fee-reductions", "resident-1").json()["reductions"]}
    assert len(listed) == len(mine_before.json()["reductions"]) + 1
    assert listed[request_id]["status"] == "pending" and listed[request_id]["owner"] == "resident-1"
    assert listed[request_id]["group_name"] == "長寿会 A" and listed[request_id]["decided_by"] is None
    # and nobody else's list shows it
    assert request_id not in str(api.call("GET", "/me/fee-reductions", "resident-2").json())

    # When staff reject it
    decided = api.call("POST", f"/staff/fee-reductions/{request_id}/decide", "staff-shisetsu", {"approve": False})
    assert decided.status_code == 200, decided.text

    # Then the resident sees the decision, who made it and when
    listed = {r["id"]: r for r in api.call("GET", "/me/fee-reductions", "resident-1").json()["reductions"]}
    assert listed[request_id]["status"] == "rejected"
    assert listed[request_id]["decided_by"] == "staff-shisetsu" and listed[request_id]["decided_at"]


@pytest.mark.parametrize(
    ("user", "status"), [(None, 401), ("staff-shisetsu", 403), ("kiosk-1", 403), ("ticket-1", 403)]
)
def test_my_fee_reductions_are_for_residents_only(api, user, status):
    response = api.call("GET", "/me/fee-reductions", user)
    assert response.status_code == status, response.text
    assert "reductions" not in response.json()

"""A lottery round end to end: staff open it, groups apply (once per slot), direct booking waits, staff draw once
from a recorded seed, a winner pays, an unpaid win passes to the next on the waiting list."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest

from tests.integration.reservations_helpers import TOKYO, Api, pay, rewind


@pytest.fixture
def api(stack_url, auth_header):
    return Api(stack_url, auth_header)


def next_month_day() -> tuple[str, str]:
    today = datetime.now(TOKYO).date()
    first = (today.replace(day=1) + timedelta(days=40)).replace(day=1)
    day = first + timedelta(days=9)
    while day.weekday() == 1:  # the dome closes on Tuesdays
        day += timedelta(days=1)
    return first.isoformat()[:7], day.isoformat()


def test_a_round_from_applications_to_payment_and_the_waiting_list(api, local_stack):
    month, day = next_month_day()
    now = datetime.now(UTC)
    opened = api.call(
        "POST",
        f"/staff/lottery/yokkaichi-dome/{month}",
        "staff-shisetsu",
        {"opens_at": (now - timedelta(minutes=1)).isoformat(), "closes_at": (now + timedelta(seconds=4)).isoformat()},
    )
    assert opened.status_code == 200, opened.text
    # Residents apply for the same slot; a group applies only once per slot
    slot = {"facility_id": "yokkaichi-dome", "date": day, "unit_id": "full", "start": "09:00"}
    for user in ("resident-1", "resident-2", "resident-pt"):
        response = api.call("POST", "/lottery/applications", user, {**slot, "group_name": f"{user} FC"})
        assert response.status_code == 200, response.text
    twice = api.call("POST", "/lottery/applications", "resident-1", {**slot, "group_name": "again"})
    assert twice.status_code == 409 and twice.json()["code"] == "lottery_already_applied"
    # Direct booking of that month waits for the draw
    blocked = api.call(
        "POST",
        "/reservations",
        "resident-1",
        {"facility_id": "yokkaichi-dome", "date": day, "slots": [{"unit_id": "full", "start": "12:00"}]},
    )
    assert blocked.status_code == 409 and blocked.json()["code"] == "lottery_period"
    # Not before the window closes
    early = api.call("POST", f"/staff/lottery/yokkaichi-dome/{month}/draw", "staff-shisetsu")
    assert early.status_code == 409 and early.json()["code"] == "lottery_not_drawable"
    time.sleep(4.5)
    late = api.call("POST", "/lottery/applications", "resident-1", {**slot, "start": "12:00", "group_name": "x"})
    assert late.status_code == 409 and late.json()["code"] == "lottery_closed"
    drawn = api.call("POST", f"/staff/lottery/yokkaichi-dome/{month}/draw", "staff-shisetsu")
    assert drawn.status_code == 200, drawn.text
    result = drawn.json()
    assert result["winners"] == 1 and result["waiting"] == 2
    assert api.call("POST", f"/staff/lottery/yokkaichi-dome/{month}/draw", "staff-shisetsu").status_code == 409
    # The recorded seed replays to the same order
    record = api.call("GET", f"/staff/lottery/yokkaichi-dome/{month}/draw", "staff-shisetsu").json()
    assert record["seed"] == result["seed"]
    order = record["order"][f"{day}#full#09:00"]
    winner, runner_up = order[0], order[1]
    mine = api.call("GET", "/me/lottery", winner).json()["applications"]
    assert mine[0]["result"] == "won"
    waiting = api.call("GET", "/me/lottery", runner_up).json()["applications"]
    assert waiting[0]["result"] == "waiting" and waiting[0]["position"] == 1
    # The winner holds the slot until the payment deadline; they do not pay in time
    win = next(
        r
        for r in api.call("GET", "/me/reservations", winner).json()["reservations"]
        if r["id"] == result["reservations"][0]
    )
    assert win["source"] == "lottery" and win["status"] == "held"
    rewind(win["id"], 8 * 24 * 60)
    counts = local_stack.run_scheduled("reservations_sweeper")
    assert counts["promoted"] >= 1
    # Then the slot is offered to the next on the waiting list, who pays
    assert api.call("GET", "/me/lottery", winner).json()["applications"][0]["result"] == "lost"
    offer = next(
        r for r in api.call("GET", "/me/reservations", runner_up).json()["reservations"] if r["source"] == "lottery"
    )
    assert offer["status"] == "held"
    session_id = api.checkout(runner_up, offer["id"])["reservation"]["checkout_session_id"]
    assert pay(local_stack, session_id)["paid"] is True
    assert api.reservation(runner_up, offer["id"])["status"] == "confirmed"
    # After the draw, the rest of the month is first come, first served
    free = api.call(
        "POST",
        "/reservations",
        "resident-1",
        {"facility_id": "yokkaichi-dome", "date": day, "slots": [{"unit_id": "half-north", "start": "12:00"}]},
    )
    assert free.status_code == 200, free.text

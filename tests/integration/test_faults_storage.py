"""Faults of the database and of our own functions (issue 13, "nothing lost under faults"): DynamoDB throttling on
a write path, answered by bounded retries and then a translated 503 with Retry-After, nothing half-written."""

from __future__ import annotations

from typing import Any

import pytest
import requests

from tests.integration import test_faults as suite
from tests.integration.reservations_helpers import Api, fresh_day
from tests.integration.test_faults import EN, Arm, injected, translated

arm, api = suite.arm, suite.api  # the suite's fixtures: arm a fault (disarmed after), the API client

pytestmark = [pytest.mark.faults, pytest.mark.xdist_group("faults")]
THROTTLES = ["ProvisionedThroughputExceededException", "ThrottlingException"]


def throttled_writes(stack_url: str) -> int:
    return sum(1 for i in injected(stack_url) if i["provider"] == "dynamodb")


def slot_state(api: Api, day: Any, unit: str, start: str) -> str:
    slots = api.call("GET", f"/facilities/kasumi-tennis/availability?date={day}").json()["slots"]
    return str(next(s for s in slots if s["unit_id"] == unit and s["start"] == start)["state"])


@pytest.mark.parametrize("code", THROTTLES)
def test_dynamodb_throttling_a_hold_once_is_retried_by_the_client(
    api: Api, arm: Arm, stack_url: str, code: str
) -> None:
    day = fresh_day()
    # DynamoDB throttles the hold's transaction once
    arm("dynamodb", status=400, code=code, match="TransactWriteItems", count=1)
    response = api.hold("resident-2", day, [("court-4", "15:00")])
    # the SDK's retry wrote it: the resident never saw the throttle
    assert response.status_code == 200, response.text
    assert throttled_writes(stack_url) == 1
    assert slot_state(api, day, "court-4", "15:00") == "held"


@pytest.mark.parametrize("code", THROTTLES)
def test_dynamodb_throttling_that_persists_is_a_translated_503_with_retry_after_and_writes_nothing(
    api: Api, arm: Arm, stack_url: str, code: str
) -> None:
    day = fresh_day()
    before = {r["id"] for r in api.call("GET", "/me/reservations", "resident-2").json()["reservations"]}
    # DynamoDB throttles every transaction
    arm("dynamodb", status=400, code=code, match="TransactWriteItems", count=1000)
    response = api.hold("resident-2", day, [("court-4", "17:00")], headers=EN)
    # a clear "busy, try again", within a bounded number of tries
    translated(response, 503, "service_busy")
    assert 0 < int(response.headers["Retry-After"]) <= 10
    assert 1 < throttled_writes(stack_url) <= 3
    requests.delete(f"{stack_url}/_local/faults", timeout=10)
    # nothing half-written: no reservation, the slot free; and the resident's retry holds it
    after = {r["id"] for r in api.call("GET", "/me/reservations", "resident-2").json()["reservations"]}
    assert after == before
    assert slot_state(api, day, "court-4", "17:00") == "free"
    assert api.hold("resident-2", day, [("court-4", "17:00")]).status_code == 200

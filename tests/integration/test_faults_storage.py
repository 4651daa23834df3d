"""Faults of the database and of our own functions (issue 13, "nothing lost under faults"): DynamoDB throttling on
a write path, answered by bounded retries and then a translated 503 with Retry-After, nothing half-written; a
cancellation's refund owed in its own write, and a worker killed around the Stripe call leaves it owed: exactly one
refund in the end."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
import requests
from moto.s3 import notifications

from infra import catalogue
from infra.local import s3_events
from madoguchi.payments.stripe import StripePayments
from tests.integration import test_faults as suite
from tests.integration.reservations_helpers import Api, effect, fresh_day, redrive_now, refund_effect
from tests.integration.test_faults import EN, Arm, draft_with_photo, file_tags, injected, refunds_of, translated

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


# --- a Lambda killed between two writes ------------------------------------------------------------------------
class LambdaKilled(BaseException):
    """The function stopped at this instant (time-out, out of memory, the host lost): no handler code runs after
    it, not even an `except Exception`."""


@pytest.mark.parametrize("killed", ["before the refund is sent", "after Stripe refunded, before it is marked done"])
def test_a_cancellation_owes_its_refund_in_its_own_write_and_a_killed_worker_leaves_it_owed(
    api: Api, local_stack: Any, monkeypatch: pytest.MonkeyPatch, killed: str
) -> None:
    """Issue 13 (faults, c): the request no longer calls Stripe after its write, so it cannot die between the two;
    the worker that sends the refund can die around its call, and the refund stays owed until one run finishes."""
    unit = "room-71" if killed.startswith("before") else "room-72"
    booked = suite.paid_booking_on(api, local_stack, "resident-2", fresh_day(), unit, "11:00", "sogo-kaikan")
    intent, owed_effect = booked["payment_intent_id"], refund_effect(booked["id"])
    streams = local_stack.streams
    with streams._lock:  # no stream delivery meanwhile: the change alone, as if the worker never ran
        cancelled = api.call("POST", f"/reservations/{booked['id']}/cancel", "resident-2", {})
        assert cancelled.status_code == 200, cancelled.text
        # Then the cancellation and the refund it owes were written together, and nothing was sent yet
        after = api.reservation("resident-2", booked["id"])
        owed = after["refund_pending"]
        assert after["status"] == "cancelled" and 0 < owed <= booked["amount"]
        item = effect(owed_effect)
        assert item is not None and item["queue"] == "EFFECT" and item["attempts"] == 0
        assert refunds_of(local_stack, intent) == []
        # When the worker is killed around the Stripe call (time-out, out of memory: no handler code runs after)
        real_refund = StripePayments.refund

        def refund_then_die(self: StripePayments, *args: Any, **kwargs: Any) -> str:
            if killed.startswith("after"):
                real_refund(self, *args, **kwargs)
            raise LambdaKilled()

        monkeypatch.setattr(StripePayments, "refund", refund_then_die)
        with pytest.raises(LambdaKilled):
            redrive_now(local_stack, owed_effect)
        monkeypatch.undo()
        # the effect is still owed, untouched
        assert effect(owed_effect)["queue"] == "EFFECT" and effect(owed_effect)["attempts"] == 0
        assert refunds_of(local_stack, intent) == ([owed] if killed.startswith("after") else [])
    # and the next delivery completes it: exactly one refund at Stripe (the same idempotency key), then nothing
    streams.drain()
    redrive_now(local_stack, owed_effect)
    assert refunds_of(local_stack, intent) == [owed]
    assert api.reservation("resident-2", booked["id"])["refund_pending"] == 0
    redrive_now(local_stack, owed_effect)
    assert refunds_of(local_stack, intent) == [owed]


# --- a duplicate S3 event -------------------------------------------------------------------------------------
def versions(key: str) -> int:
    bucket = catalogue.bucket("attachments").local_name
    listed = boto3.client("s3").list_object_versions(Bucket=bucket, Prefix=key)
    return sum(1 for v in listed.get("Versions", []) if v["Key"] == key)


def test_a_duplicate_s3_event_checks_once_and_never_replaces_the_checked_file(
    api: Api, local_stack: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given S3 delivering each upload's event twice at once (S3 delivers at least once)
    delivered: list[tuple[Any, ...]] = []
    deliver = notifications._invoke_awslambda

    def twice(*args: Any) -> None:
        delivered.append(args)
        deliver(*args)  # each delivery runs on its own thread, as S3 invokes asynchronously
        deliver(*args)

    monkeypatch.setattr(notifications, "_invoke_awslambda", twice)
    draft = draft_with_photo(api)
    monkeypatch.undo()
    # Then the upload was checked once: one checked file, the upload removed
    attachment = draft["attachments"][0]
    assert attachment["status"] == "valid" and len(delivered) == 1
    checked = f"files/{draft['id']}/{attachment['id']}"
    assert versions(checked) == 1 and versions(f"uploads/{draft['id']}/{attachment['id']}") <= 1
    # When the application is submitted (its file tagged referenced) and the event comes once more, late
    submitted = api.call("POST", f"/applications/{draft['id']}/submit", "resident-2", {})
    assert submitted.status_code == 200, submitted.text
    local_stack.streams.drain()  # the outbox worker tags the files
    deliver(*delivered[0])
    s3_events.drain()
    # Then nothing changed: the same single file, still referenced, the attachment still valid
    assert versions(checked) == 1
    assert {"Key": "referenced", "Value": "true"} in file_tags(draft)
    again = api.call("GET", f"/applications/{draft['id']}", "resident-2").json()
    assert [a["status"] for a in again["attachments"]] == ["valid"] and again["status"] == "received"

"""The fault-injection suite (issue 13): every outside provider our functions call is told to fail through the
local gateway's /_local/faults control (infra/local/faults.py) — an error status, a throttle, a hang longer than
our client time-out, a body that is not the provider's — and each test shows what the resident or clerk gets (a
translated 4xx/503, never a raw 500 nor a wait past the function's time-out), what the tables hold (nothing
half-written), that nothing is charged twice and that nothing is lost. docs/benchmarks.md lists the results."""

from __future__ import annotations

import io
import json
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import boto3
import pytest
import requests
from PIL import Image

from infra import catalogue
from infra.local import s3_events
from madoguchi.effects.models import due_key
from madoguchi.shared.i18n import message
from tests.integration.line_helpers import line_linked
from tests.integration.reservations_helpers import Api, effect, fresh_day, pay, redrive_now, refund_effect

pytestmark = [pytest.mark.faults, pytest.mark.xdist_group("faults")]

Arm = Callable[..., None]
EN = {"Accept-Language": "en"}


@pytest.fixture
def arm(stack_url: str, local_stack: Any) -> Iterator[Arm]:
    """Arm a fault on a stand-in; everything is disarmed after the test, and no function ran past its time-out."""

    def arm_fault(provider: str, kind: str = "status", **fault: Any) -> None:
        body = {"provider": provider, "kind": kind, **fault}
        response = requests.post(f"{stack_url}/_local/faults", json=body, timeout=10)
        assert response.status_code == 200, response.text

    before = {name: len(pool.overruns) for name, pool in local_stack.functions.pools.items()}
    yield arm_fault
    requests.delete(f"{stack_url}/_local/faults", timeout=10)
    overran = {name: pool.overruns[before[name] :] for name, pool in local_stack.functions.pools.items()}
    assert not any(overran.values()), f"ran past the function's time-out: {overran}"


@pytest.fixture
def api(stack_url: str, auth_header: Callable[[str], dict[str, str]]) -> Api:
    return Api(stack_url, auth_header)


def injected(stack_url: str) -> list[dict[str, Any]]:
    return list(requests.get(f"{stack_url}/_local/faults", timeout=10).json()["injected"])


def translated(response: requests.Response, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    assert response.json()["code"] == code and response.json()["message"] == message(code, "en")


# --- Stripe -----------------------------------------------------------------------------------------------------
def refunds_of(local_stack: Any, intent: str) -> list[int]:
    return [r["amount"] for r in local_stack.stripe.refunds.values() if r["payment_intent"] == intent]


def test_stripe_failing_checkout_answers_503_writes_nothing_and_the_retry_opens_one_session(
    api: Api, local_stack: Any, arm: Arm
) -> None:
    held = api.held("resident-pt", fresh_day(), [("court-1", "11:00")])
    # Stripe answers 500 to every try (the SDK's retry, and the one under a fresh key)
    arm("stripe", status=500, match="POST /v1/checkout/sessions", count=4)
    key = {"Idempotency-Key": uuid.uuid4().hex, **EN}
    failed = api.call("POST", f"/reservations/{held['id']}/checkout", "resident-pt", {}, headers=key)
    translated(failed, 503, "payment_unavailable")
    still = api.reservation("resident-pt", held["id"])
    assert still["status"] == "held" and still["checkout_session_id"] is None
    reference = f"reservation:{held['id']}"
    assert [s for s in local_stack.stripe.sessions.values() if s["client_reference_id"] == reference] == []
    # The resident tries again with the same key: Stripe replays its 500 for that key, a fresh request key passes
    again = api.call("POST", f"/reservations/{held['id']}/checkout", "resident-pt", {}, headers=key)
    assert again.status_code == 200, again.text
    sessions = [s for s in local_stack.stripe.sessions.values() if s["client_reference_id"] == reference]
    assert [s["id"] for s in sessions] == [again.json()["reservation"]["checkout_session_id"]]


@pytest.mark.parametrize(("kind", "fault"), [("status", {"status": 429}), ("malformed", {})])
def test_stripe_throttling_or_garbage_is_a_translated_503(
    api: Api, local_stack: Any, arm: Arm, kind: str, fault: dict[str, Any]
) -> None:
    held = api.held("resident-pt", fresh_day(), [("court-2", "11:00")])
    arm("stripe", kind, match="POST /v1/checkout/sessions", count=4, **fault)
    failed = api.call("POST", f"/reservations/{held['id']}/checkout", "resident-pt", {}, headers=EN)
    translated(failed, 503, "payment_unavailable")
    assert api.reservation("resident-pt", held["id"])["checkout_session_id"] is None


def test_stripe_500_on_a_refund_leaves_it_owed_and_the_outbox_worker_refunds_once(
    api: Api, local_stack: Any, arm: Arm
) -> None:
    """Issue 13 (faults, b): the cancellation owes its refund (an effect in the same write) and answers without
    calling Stripe. Stripe saves a 500 under the idempotency key and replays it; the worker's try fails, the
    effect stays owed; the next run finds no refund carrying the key and sends it once more, under a fresh
    request key — exactly one refund."""
    booked = paid_booking_on(api, local_stack, "resident-1", fresh_day(), "room-71", "09:00", "sogo-kaikan")
    intent, owed_effect = booked["payment_intent_id"], refund_effect(booked["id"])
    arm("stripe", status=500, match="POST /v1/refunds", count=4)
    cancelled = api.call("POST", f"/reservations/{booked['id']}/cancel", "resident-1", {})
    assert cancelled.status_code == 200, cancelled.text
    assert cancelled.json()["reservation"]["status"] == "cancelled"
    owed = cancelled.json()["reservation"]["refund_pending"]  # by the cancellation policy
    assert 0 < owed <= booked["amount"]
    local_stack.streams.drain()  # the worker's first try meets the 500s
    item = effect(owed_effect)
    assert item is not None and "queue" in item and item["attempts"] >= 1 and item["last_error"]
    assert refunds_of(local_stack, intent) == []
    assert api.reservation("resident-1", booked["id"])["status"] == "cancelled"
    requests.delete(f"{api.url}/_local/faults", timeout=10)
    redrive_now(local_stack, owed_effect)
    assert refunds_of(local_stack, intent) == [owed]
    assert api.reservation("resident-1", booked["id"])["refund_pending"] == 0
    assert "queue" not in (effect(owed_effect) or {})
    local_stack.streams.drain()
    redrive_now(local_stack, owed_effect)  # nothing owed any more: nothing sent again
    assert refunds_of(local_stack, intent) == [owed]


def test_stripe_hanging_on_a_refund_cancels_at_once_and_refunds_once(api: Api, local_stack: Any, arm: Arm) -> None:
    booked = paid_booking_on(api, local_stack, "resident-1", fresh_day(), "room-72", "09:00", "sogo-kaikan")
    intent, owed_effect = booked["payment_intent_id"], refund_effect(booked["id"])
    # Stripe makes the refund but answers after 4 s; our client gives up after 3 s (and its retry meets the
    # request still running under the same key)
    arm("stripe", "hang", seconds=4, match="POST /v1/refunds", count=1)
    cancelled = api.call("POST", f"/reservations/{booked['id']}/cancel", "resident-1", {})
    assert cancelled.status_code == 200, cancelled.text
    assert cancelled.json()["reservation"]["status"] == "cancelled"
    assert cancelled.json()["reservation"]["refund_pending"] > 0  # answered at once: the refund is on its way
    local_stack.streams.drain()  # the worker's try (the SDK's retry meets the key still running, then reads back)
    deadline = time.monotonic() + 10
    while not refunds_of(local_stack, intent) and time.monotonic() < deadline:
        time.sleep(0.1)  # the stand-in finishes the refund it was holding
    redrive_now(local_stack, owed_effect)  # Stripe answers the same key with the refund it made
    redrive_now(local_stack, owed_effect)
    assert len(refunds_of(local_stack, intent)) == 1
    assert api.reservation("resident-1", booked["id"])["refund_pending"] == 0


def test_a_closure_with_stripe_failing_refunds_each_paid_booking_once_later(
    api: Api, local_stack: Any, arm: Arm
) -> None:
    day = fresh_day(30 + uuid.uuid4().int % 50, closed_weekdays=(6,))  # a closure stays: a day no other test uses
    first = paid_booking_on(api, local_stack, "resident-1", day, "room", "09:00")
    second = paid_booking_on(api, local_stack, "resident-2", day, "washitsu", "14:00")
    arm("stripe", status=503, match="POST /v1/refunds", count=1000)
    closure = {"date": day.isoformat(), "reason": "停電"}
    closed = api.call("POST", "/staff/facilities/tokiwa-center/closures", "staff-shisetsu", closure)
    assert closed.status_code == 200, closed.text
    assert {first["id"], second["id"]} <= set(closed.json()["cancelled"])
    local_stack.streams.drain()
    for booking in (first, second):
        assert api.reservation(booking["owner"], booking["id"])["refund_pending"] == booking["amount"]
        assert effect(refund_effect(booking["id"]))["attempts"] >= 1
        assert refunds_of(local_stack, booking["payment_intent_id"]) == []
    requests.delete(f"{api.url}/_local/faults", timeout=10)
    redrive_now(local_stack, refund_effect(first["id"]), refund_effect(second["id"]))
    redrive_now(local_stack, refund_effect(first["id"]), refund_effect(second["id"]))
    for booking in (first, second):
        assert refunds_of(local_stack, booking["payment_intent_id"]) == [booking["amount"]]
        assert api.reservation(booking["owner"], booking["id"])["refund_pending"] == 0


def paid_booking_on(
    api: Api, local_stack: Any, user: str, day: Any, unit: str, start: str, facility: str = "tokiwa-center"
) -> dict[str, Any]:
    """A paid booking away from kasumi-tennis, where the suite's other tests keep many holds (caps are per
    facility and account)."""
    held = api.held(user, day, [(unit, start)], facility=facility)
    session_id = api.checkout(user, held["id"])["reservation"]["checkout_session_id"]
    assert pay(local_stack, session_id)["paid"] is True
    return api.reservation(user, held["id"])


# --- LINE -------------------------------------------------------------------------------------------------------
def called_pushes(local_stack: Any, line_id: str, start: int = 0) -> list[str]:
    return [
        msg["text"]
        for m in local_stack.line.sent[start:]
        if m.get("to") == line_id
        for msg in m["messages"]
        if "をお呼びしています" in msg["text"]
    ]


def drain(api: Api, counter: str) -> None:
    while (
        ticket := api.call("POST", f"/queues/{counter}/call-next", "staff-zei", {"desk": "2"}).json()["ticket"]
    ) is not None:
        api.call("POST", f"/queues/{counter}/tickets/{ticket['id']}/complete", "staff-zei")


def notice_items(local_stack: Any, ticket_id: str) -> list[dict[str, Any]]:
    """The outbox items of the notices owed for a ticket (tests only: a Scan of the small local outbox)."""
    table = boto3.resource("dynamodb").Table(catalogue.table("outbox").local_name)
    prefix, items, kwargs = f"queue:{ticket_id}:", [], {}
    while True:
        page = table.scan(**kwargs)
        items += [i for i in page["Items"] if str(i["pk"]).startswith(prefix)]
        if "LastEvaluatedKey" not in page:
            return items
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def called_item(local_stack: Any, ticket_id: str) -> dict[str, Any]:
    (item,) = [i for i in notice_items(local_stack, ticket_id) if ":called:" in str(i["pk"])]
    return item


def opted_in_first(api: Api, local_stack: Any) -> dict[str, Any]:
    """A ticket first in line at 市民税, its holder opted in to LINE (the "0 ahead" notice delivered)."""
    drain(api, "zei")
    ticket = api.call("POST", "/queues/zei/tickets", "ticket-1", {"service": "shotoku"}).json()
    opted = api.call("POST", f"/tickets/{ticket['id']}/notifications/line", "resident-2", {"ahead": 0})
    assert opted.status_code == 200, opted.text
    local_stack.streams.drain()
    return dict(ticket)


@pytest.mark.parametrize(("kind", "fault"), [("status", {"status": 500, "count": 2}), ("hang", {"seconds": 3})])
def test_line_failing_or_hanging_still_delivers_the_call_notice_once(
    api: Api, local_stack: Any, arm: Arm, kind: str, fault: dict[str, Any]
) -> None:
    with line_linked(api.url, api.auth_header, "resident-2", "line-user-1") as line_id:
        ticket = opted_in_first(api, local_stack)
        start = len(local_stack.line.sent)
        arm("line", kind, match="/v2/bot/message/push", **fault)
        called = api.call("POST", "/queues/zei/call-next", "staff-zei", {"desk": "2"})
        assert called.status_code == 200 and called.json()["ticket"]["id"] == ticket["id"]
        local_stack.streams.drain()  # the outbox worker pushes, retried with its retry key: delivered, once
        assert len(called_pushes(local_stack, line_id, start)) == 1


def test_line_down_leaves_the_call_notice_owed_and_the_schedule_delivers_it_once(
    api: Api, local_stack: Any, arm: Arm
) -> None:
    with line_linked(api.url, api.auth_header, "resident-2", "line-user-1") as line_id:
        ticket = opted_in_first(api, local_stack)
        start = len(local_stack.line.sent)
        arm("line", status=503, match="/v2/bot/message/push", count=100)
        called = api.call("POST", "/queues/zei/call-next", "staff-zei", {"desk": "2"})
        assert called.status_code == 200 and called.json()["ticket"]["id"] == ticket["id"]
        local_stack.streams.drain()
    # The call stands; the notice is owed, its failed try recorded, not sent
    assert api.call("GET", f"/tickets/{ticket['id']}").json()["state"] == "called"
    assert called_pushes(local_stack, line_id, start) == []
    item = called_item(local_stack, ticket["id"])
    assert item["queue"] == "EFFECT" and item["attempts"] >= 1 and item["last_error"] and "done_at" not in item
    # LINE is back; the notice's backoff has passed: the schedule delivers it, once, with its retry key
    requests.delete(f"{api.url}/_local/faults", timeout=10)
    boto3.resource("dynamodb").Table(catalogue.table("outbox").local_name).update_item(
        Key={"pk": item["pk"]},
        UpdateExpression="SET due_at = :due",
        ExpressionAttributeValues={":due": due_key(datetime.now(UTC) - timedelta(seconds=1), str(item["pk"]))},
    )
    local_stack.run_scheduled("outbox_effects")
    local_stack.run_scheduled("outbox_effects")  # done: nothing sent again
    pushes = [m for m in local_stack.line.sent[start:] if m.get("to") == line_id]
    retry_key = str(uuid.uuid5(uuid.NAMESPACE_URL, f"{ticket['id']}:called:0"))
    assert [(len(m["messages"]), m["retry_key"]) for m in pushes] == [(1, retry_key)]
    assert len(called_pushes(local_stack, line_id, start)) == 1
    assert "done_at" in called_item(local_stack, ticket["id"])


def test_a_lambda_killed_after_the_call_leaves_the_notice_owed(api: Api, local_stack: Any) -> None:
    with line_linked(api.url, api.auth_header, "resident-2", "line-user-1") as line_id:
        ticket = opted_in_first(api, local_stack)
        start = len(local_stack.line.sent)
        with local_stack.streams.held():  # the call is written; nothing has run after it
            called = api.call("POST", "/queues/zei/call-next", "staff-zei", {"desk": "2"})
            assert called.status_code == 200 and called.json()["ticket"]["id"] == ticket["id"]
            item = called_item(local_stack, ticket["id"])
            assert item["queue"] == "EFFECT" and item["attempts"] == 0
            assert called_pushes(local_stack, line_id, start) == []
            payload = json.loads(str(item["event"]))["payload"]
            assert payload == {"ticket": ticket["id"], "notice": "called", "recalls": 0, "ahead": 0}  # no LINE id
        local_stack.streams.drain()
        assert len(called_pushes(local_stack, line_id, start)) == 1


def test_a_notice_no_longer_true_is_not_sent(api: Api, local_stack: Any) -> None:
    with line_linked(api.url, api.auth_header, "resident-2", "line-user-1") as line_id:
        ticket = opted_in_first(api, local_stack)
        start = len(local_stack.line.sent)
        with local_stack.streams.held():  # the worker comes only after the ticket was served
            called = api.call("POST", "/queues/zei/call-next", "staff-zei", {"desk": "2"})
            assert called.json()["ticket"]["id"] == ticket["id"]
            done = api.call("POST", f"/queues/zei/tickets/{ticket['id']}/complete", "staff-zei")
            assert done.status_code == 200, done.text
        local_stack.streams.drain()
        assert [m for m in local_stack.line.sent[start:] if m.get("to") == line_id] == []
        assert "done_at" in called_item(local_stack, ticket["id"])  # moot: done, not owed any more


# --- SES and S3 (applications) ---------------------------------------------------------------------------------
def draft_with_photo(api: Api) -> dict[str, Any]:
    answers = {"child_name": "市民 太郎", "child_date_of_birth": "2020-05-05", "insurance_type": "kokuho"}
    draft = api.call("POST", "/applications", "resident-2", {"procedure": "kodomo-iryohi-josei", "answers": answers})
    assert draft.status_code == 200, draft.text
    png = io.BytesIO()
    Image.new("RGB", (8, 8)).save(png, "PNG")
    ticket = api.call(
        "POST",
        f"/applications/{draft.json()['id']}/attachments",
        "resident-2",
        {"kind": "insurance_card", "content_type": "image/png"},
    ).json()
    requests.post(ticket["url"], data=ticket["fields"], files={"file": ("p", png.getvalue(), "image/png")}, timeout=30)
    s3_events.drain()
    return dict(api.call("GET", f"/applications/{draft.json()['id']}", "resident-2").json())


def mails_about(api: Api, code: str) -> list[dict[str, Any]]:
    outbox = requests.get(f"{api.url}/_local/outbox", params={"to": "hanako@example.jp"}, timeout=10).json()
    return [m for m in outbox["messages"] if code in m["subject"]]


def file_tags(application: dict[str, Any]) -> list[dict[str, str]]:
    key = f"files/{application['id']}/{application['attachments'][0]['id']}"
    bucket = catalogue.bucket("attachments").local_name
    return list(boto3.client("s3").get_object_tagging(Bucket=bucket, Key=key)["TagSet"])


def test_ses_failing_once_is_retried_and_the_mail_goes(api: Api, local_stack: Any, arm: Arm) -> None:
    draft = draft_with_photo(api)
    arm("ses", status=500, match="outbound-emails", count=1)
    submitted = api.call("POST", f"/applications/{draft['id']}/submit", "resident-2", {})
    assert submitted.status_code == 200 and submitted.json()["status"] == "received"
    local_stack.streams.drain()  # the outbox worker sends it; the SDK's own retry meets the failure
    assert len(mails_about(api, draft["code"])) == 1


@pytest.mark.parametrize(("kind", "fault"), [("status", {"status": 503}), ("hang", {"seconds": 3})])
def test_ses_down_leaves_the_submission_received(api: Api, arm: Arm, kind: str, fault: dict[str, Any]) -> None:
    draft = draft_with_photo(api)
    arm("ses", kind, match="outbound-emails", count=2, **fault)
    submitted = api.call("POST", f"/applications/{draft['id']}/submit", "resident-2", {})
    assert submitted.status_code == 200 and submitted.json()["status"] == "received"
    assert api.call("GET", f"/applications/{draft['id']}", "resident-2").json()["status"] == "received"


# S3 failing for longer, Stripe failing on a refund and a killed function: tests/integration/
# test_applications_effects.py (the tags, refunds and e-mails are owed as effects in the change's transaction).
def test_s3_failing_once_is_retried_by_the_sdk(api: Api, local_stack: Any, arm: Arm) -> None:
    draft = draft_with_photo(api)
    arm("s3", status=503, match="tagging", count=1)
    submitted = api.call("POST", f"/applications/{draft['id']}/submit", "resident-2", {})
    assert submitted.status_code == 200 and submitted.json()["status"] == "received"
    local_stack.streams.drain()  # the outbox worker tags the files
    assert {"Key": "referenced", "Value": "true"} in file_tags(draft)


# --- Step Functions (cases) -------------------------------------------------------------------------------------
CASE = {
    "event": "bereavement",
    "subject": {  # whose case it is (the deceased, filed by a child)
        "person_name": "四日市 一郎",
        "event_date": (datetime.now(ZoneInfo("Asia/Tokyo")).date() - timedelta(days=2)).isoformat(),
        "applicant_name": "四日市 花子",
        "relationship": "child",
        "phone": "059-354-0000",
    },
    "answers": {"owned_property": True},
    "identity": {"method": "my_number_card", "note": "counter check"},
}


def executions_named(local_stack: Any, name: str) -> int:
    sfn = boto3.client("stepfunctions")
    listed = sfn.list_executions(stateMachineArn=local_stack.state_machines["bereavement"], maxResults=1000)
    return [e["name"] for e in listed["executions"]].count(name)


def outbox_item(effect_id: str) -> dict[str, Any]:
    table = boto3.resource("dynamodb").Table(catalogue.table("outbox").local_name)
    return dict(table.get_item(Key={"pk": effect_id}, ConsistentRead=True)["Item"])


def make_due(effect_id: str) -> None:
    """Its backoff has passed: the schedule's next run takes it."""
    table = boto3.resource("dynamodb").Table(catalogue.table("outbox").local_name)
    past = (datetime.now(UTC) - timedelta(seconds=1)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    table.update_item(
        Key={"pk": effect_id},
        UpdateExpression="SET due_at = :due",
        ConditionExpression="attribute_exists(#queue)",
        ExpressionAttributeNames={"#queue": "queue"},
        ExpressionAttributeValues={":due": f"{past}#{effect_id}"},
    )


def waiting_task(api: Api, user: str, case_id: str) -> dict[str, Any]:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        tasks = api.call("GET", "/staff/tasks", user).json()["tasks"]
        task = next((t for t in tasks if t["case_id"] == case_id and t["kind"] == "review"), None)
        if task is not None:
            return task
        time.sleep(0.1)
    raise AssertionError(f"no task for {user} on {case_id}")


def case_status(api: Api, case_id: str, status: str) -> dict[str, Any]:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        case = dict(api.call("GET", f"/cases/{case_id}", "staff-onestop").json())
        if case["status"] == status:
            return case
        time.sleep(0.1)
    raise AssertionError(f"case {case_id} never became {status}")


@pytest.mark.parametrize(
    ("kind", "fault"),
    [("status", {"status": 500, "count": 100}), ("malformed", {"count": 100})],  # down until disarmed
)
def test_step_functions_refusing_a_start_leaves_the_case_open_and_the_worker_starts_it_once_when_back(
    api: Api, stack_url: str, local_stack: Any, arm: Arm, kind: str, fault: dict[str, Any]
) -> None:
    # Given Step Functions refusing every StartExecution
    arm("stepfunctions", kind, match="StartExecution", **fault)
    # When staff open a case: it is open (no 503), and its start is owed
    opened = api.call("POST", "/cases", "staff-onestop", CASE, headers=EN)
    assert opened.status_code == 200, opened.text
    case_id = opened.json()["id"]
    assert opened.json()["status"] == "open" and opened.json()["workflow_starting"] is True
    local_stack.streams.drain()
    effect = outbox_item(f"cases:{case_id}:start_workflow")
    assert effect["attempts"] >= 1 and effect["queue"] == "EFFECT" and effect["last_error"] == "WorkflowUnavailable"
    assert executions_named(local_stack, case_id) == 0
    seen = api.call("GET", f"/cases/{case_id}", "staff-onestop").json()
    assert seen["status"] == "open" and seen["workflow_starting"] is True  # honest: not running yet
    # Then, Step Functions back, the schedule starts it: one execution that really runs (shisan's task waits)
    requests.delete(f"{stack_url}/_local/faults", timeout=10)
    make_due(effect["pk"])
    local_stack.run_scheduled("outbox_effects")
    done = outbox_item(effect["pk"])
    assert "queue" not in done and done["done_at"]
    assert executions_named(local_stack, case_id) == 1
    assert waiting_task(api, "staff-shisan", case_id)
    assert api.call("GET", f"/cases/{case_id}", "staff-onestop").json()["workflow_starting"] is False


def test_step_functions_hanging_on_a_start_still_starts_one_execution(api: Api, local_stack: Any, arm: Arm) -> None:
    # The start is carried out but its answer comes after our client's time-out: the worker tries again later
    arm("stepfunctions", "hang", seconds=3, match="StartExecution", count=1)
    opened = api.call("POST", "/cases", "staff-onestop", CASE)
    assert opened.status_code == 200, opened.text
    case_id = opened.json()["id"]
    local_stack.streams.drain()
    effect_id = f"cases:{case_id}:start_workflow"
    if "queue" in outbox_item(effect_id):
        make_due(effect_id)
        local_stack.run_scheduled("outbox_effects")  # ExecutionAlreadyExists: done
    assert "queue" not in outbox_item(effect_id)
    assert executions_named(local_stack, case_id) == 1
    assert waiting_task(api, "staff-shisan", case_id)


@pytest.mark.parametrize(("decision", "call"), [("approve", "SendTaskSuccess"), ("return", "SendTaskFailure")])
def test_step_functions_refusing_an_answer_keeps_the_decision_and_the_worker_delivers_it_when_back(
    api: Api, stack_url: str, local_stack: Any, arm: Arm, decision: str, call: str
) -> None:
    case_id = api.call("POST", "/cases", "staff-onestop", CASE).json()["id"]
    task = waiting_task(api, "staff-shisan", case_id)
    # Given Step Functions refusing every answer
    arm("stepfunctions", status=500, match=call, count=100)
    body = {} if decision == "approve" else {"reason": "固定資産の登記簿を持参"}
    decided = api.call("POST", f"/staff/tasks/{task['id']}/{decision}", "staff-shisan", body, headers=EN)
    # Then the decision stands (no 503, nothing released), and its answer is owed
    assert decided.status_code == 200, decided.text
    assert decided.json()["status"] == ("approved" if decision == "approve" else "returned")
    local_stack.streams.drain()
    effect = outbox_item(f"cases:{task['id']}:answer_task")
    assert effect["attempts"] >= 1 and effect["queue"] == "EFFECT"
    assert task["id"] not in {t["id"] for t in api.call("GET", "/staff/tasks", "staff-shisan").json()["tasks"]}
    again = api.call("POST", f"/staff/tasks/{task['id']}/{decision}", "staff-shisan", body, headers=EN)
    assert again.status_code == 409  # decided once
    # When Step Functions is back and the schedule runs it, the workflow advances
    requests.delete(f"{stack_url}/_local/faults", timeout=10)
    make_due(effect["pk"])
    local_stack.run_scheduled("outbox_effects")
    assert "queue" not in outbox_item(effect["pk"])
    if decision == "approve":
        case_status(api, case_id, "closed")
    else:  # the returned step waits for the resident's missing item
        case_status(api, case_id, "needs_resident")


# --- the OpenID provider's keys (the authorizer) ----------------------------------------------------------------
@pytest.mark.parametrize(("kind", "fault"), [("status", {"status": 500}), ("malformed", {}), ("hang", {"seconds": 6})])
def test_the_key_endpoint_failing_is_503_not_a_sign_out(
    api: Api, local_stack: Any, arm: Arm, kind: str, fault: dict[str, Any]
) -> None:
    arm("jwks", kind, count=1, **fault)
    local_stack.gateway.authorizer.forget_keys()  # a cold authorizer: it has to fetch the keys
    failed = api.call("GET", "/me/applications", "resident-1", headers=EN)
    translated(failed, 503, "auth_unavailable")
    assert failed.headers["Retry-After"]
    assert api.call("GET", "/me/applications", "resident-1").status_code == 200  # the same token, keys back


def test_the_faults_control_refuses_what_it_cannot_inject(stack_url: str) -> None:
    refused = (
        {"provider": "sqs"},
        {"provider": "stripe", "kind": "explode"},
        {"provider": "line", "count": 0},
        {"provider": "dynamodb", "status": 400, "code": "Throttling</x>"},
    )
    for body in refused:
        assert requests.post(f"{stack_url}/_local/faults", json=body, timeout=10).status_code == 400
    assert requests.get(f"{stack_url}/_local/faults", timeout=10).json()["armed"] == []

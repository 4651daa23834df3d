"""One-stop cases through the gateway, with the real bereavement and moving-in state machines on the
emulated Step Functions and every department's step decided by its staff."""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import boto3
import pytest
import requests

from infra import catalogue

# had_kokuho -> hoken, owned_property -> shisan, was_taxpayer -> zei, had_children_allowance -> kodomo
FOUR_DEPARTMENTS = {"had_kokuho": True, "owned_property": True, "was_taxpayer": True, "had_children_allowance": True}
IDENTITY = {"method": "my_number_card", "note": "counter check"}


def subject(event: str) -> dict[str, str]:
    """Whose case it is: the deceased (filed by a child), or the person moving (filing for themselves)."""
    day = (datetime.now(ZoneInfo("Asia/Tokyo")).date() - timedelta(days=2)).isoformat()
    person, relationship = ("四日市 一郎", "child") if event == "bereavement" else ("四日市 花子", "self")
    return {
        "person_name": person,
        "event_date": day,
        "applicant_name": "四日市 花子",
        "relationship": relationship,
        "phone": "059-354-0000",
    }


class Api:
    """The calls of the test, each response body kept to prove no task token ever leaves the server."""

    def __init__(self, url: str, auth_header: Callable[[str], dict[str, str]]) -> None:
        self.url, self.auth_header, self.bodies = url, auth_header, []

    def call(self, method: str, path: str, user: str | None, body: Any = None) -> requests.Response:
        headers = self.auth_header(user) if user else {}
        response = requests.request(method, f"{self.url}{path}", json=body, headers=headers, timeout=15)
        self.bodies.append(response.text)
        return response

    def open_case(self, answers: dict[str, Any], event: str = "bereavement") -> dict[str, Any]:
        body = {
            "event": event,
            "subject": subject(event),
            "answers": answers,
            "identity": IDENTITY,
            "explained": ["葬祭費の申請期限"],
        }
        response = self.call("POST", "/cases", "staff-onestop", body)
        assert response.status_code == 200, response.text
        return response.json()

    def case(self, case_id: str, user: str = "staff-onestop") -> dict[str, Any]:
        response = self.call("GET", f"/cases/{case_id}", user)
        assert response.status_code == 200, response.text
        return response.json()

    def task(self, user: str, case_id: str, kind: str = "review", timeout: float = 20.0) -> dict[str, Any]:
        """The pending task of `user`'s department for the case, once the workflow has registered it."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            cursor = None
            while True:
                page = self.call("GET", "/staff/tasks" + (f"?cursor={cursor}" if cursor else ""), user).json()
                found = [t for t in page["tasks"] if t["case_id"] == case_id and t["kind"] == kind]
                if found:
                    return found[0]
                cursor = page.get("next")
                if not cursor:
                    break
            time.sleep(0.1)
        raise AssertionError(f"no {kind} task for {user} on {case_id}")

    def decide(self, user: str, task_id: str, decision: str, body: dict[str, Any] | None = None) -> requests.Response:
        return self.call("POST", f"/staff/tasks/{task_id}/{decision}", user, body or {})

    def wait_for_status(self, case_id: str, status: str, timeout: float = 20.0) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            case = self.case(case_id)
            if case["status"] == status:
                return case
            time.sleep(0.1)
        raise AssertionError(f"case {case_id} never became {status}: {case['status']}")


@pytest.fixture
def api(stack_url, auth_header):
    return Api(stack_url, auth_header)


def stored_tokens() -> set[str]:
    table = boto3.resource("dynamodb").Table(catalogue.table("tasks").local_name)
    items, kwargs = [], {}
    while True:  # test-only read of the whole table
        page = table.scan(ProjectionExpression="#t", ExpressionAttributeNames={"#t": "token"}, **kwargs)
        items += page["Items"]
        if "LastEvaluatedKey" not in page:
            return {i["token"] for i in items if "token" in i}
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def test_four_departments_approve_in_any_order_and_the_case_closes(api):
    # Given a bereavement case touching four departments, opened at the one-stop counter
    case = api.open_case(FOUR_DEPARTMENTS)
    departments = [s["department"] for s in case["steps"]]
    assert sorted(departments) == ["hoken", "kodomo", "shisan", "zei"]
    assert case["identity"]["method"] == "my_number_card" and case["identity"]["verified_by"] == "staff-onestop"
    # When each department's staff approve, in a random order
    order = departments[:]
    random.shuffle(order)
    for department in order:
        task = api.task(f"staff-{department}", case["id"])
        seen = api.case(case["id"], f"staff-{department}")
        assert seen["identity"]["method"] == "my_number_card"  # checked once, shown to every department
        step = next(s for s in seen["steps"] if s["department"] == department)
        assert step["procedures"] and all(p["check"] and p["explain"] for p in step["procedures"])
        assert api.decide(f"staff-{department}", task["id"], "approve", {"note": "ok"}).status_code == 200
    # Then the case closes with every step approved, and says what remains elsewhere
    closed = api.wait_for_status(case["id"], "closed")
    assert {s["status"] for s in closed["steps"]} == {"approved"}
    assert closed["closed_at"] and closed["remaining"]
    actions = [entry["action"] for entry in closed["timeline"]]
    assert actions[0] == "case_opened" and actions.count("step_approved") == 4 and "case_closed" in actions
    # And no response of the whole flow carried a task token
    tokens = stored_tokens()
    assert not any(token in body for body in api.bodies for token in tokens)


def test_a_returned_step_waits_for_the_resident_and_resumes(api):
    case = api.open_case({"had_kokuho": True, "was_taxpayer": True})
    zei = api.task("staff-zei", case["id"])
    assert api.decide("staff-zei", zei["id"], "approve").status_code == 200
    # When 保険年金課 returns its step for a missing item
    hoken = api.task("staff-hoken", case["id"])
    returned = api.decide("staff-hoken", hoken["id"], "return", {"reason": "国民健康保険証を持参してください"})
    assert returned.status_code == 200 and returned.json()["status"] == "returned"
    # Then the case needs the resident, with the reason, and the department waits for the item
    waiting = api.task("staff-hoken", case["id"], kind="awaiting_resident")
    needs = api.wait_for_status(case["id"], "needs_resident")
    step = next(s for s in needs["steps"] if s["department"] == "hoken")
    assert step["return_reason"] == "国民健康保険証を持参してください"
    # When the item arrives, the step goes back to review, and approving it closes the case
    assert api.decide("staff-hoken", waiting["id"], "approve", {"note": "保険証を受領"}).status_code == 200
    again = api.task("staff-hoken", case["id"])
    assert again["id"] != hoken["id"]
    assert api.decide("staff-hoken", again["id"], "approve").status_code == 200
    closed = api.wait_for_status(case["id"], "closed")
    actions = [entry["action"] for entry in closed["timeline"]]
    assert actions.index("step_returned") < actions.index("missing_item_received") < actions.index("case_closed")


def test_a_step_past_its_timeout_escalates_and_waits_again(api, local_stack):
    # Given a pre-registered case whose workflow runs with a one-second step timeout
    body = {"event": "bereavement", "subject": subject("bereavement"), "answers": {"owned_property": True}}
    case = api.call("POST", "/cases", "resident-1", body).json()
    assert case["status"] == "awaiting_identity"
    sfn = boto3.client("stepfunctions")
    execution = sfn.start_execution(
        stateMachineArn=local_stack.state_machines["bereavement"],
        name=f"{case['id']}-short",
        input=json.dumps({"case_id": case["id"], "departments": ["shisan"], "step_timeout_seconds": 1}),
    )
    first = api.task("staff-shisan", case["id"])
    # When nobody decides within the timeout
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        step = api.case(case["id"], "staff-shisan")["steps"][0]
        if step["escalations"] >= 1 and step["task_id"] != first["id"]:
            break
        time.sleep(0.2)
    # Then the step is escalated (not failed), waits again under a new task, and the stale task is refused
    timeline = api.case(case["id"], "staff-shisan")["timeline"]
    assert any(e["action"] == "step_escalated" and e["department"] == "shisan" for e in timeline)
    assert api.decide("staff-shisan", first["id"], "approve").status_code == 409
    sfn.stop_execution(executionArn=execution["executionArn"])


def test_concurrent_approvals_of_one_task_decide_it_once(api):
    case = api.open_case({"owned_property": True})
    task = api.task("staff-shisan", case["id"])
    with ThreadPoolExecutor(8) as pool:
        codes = sorted(pool.map(lambda _: api.decide("staff-shisan", task["id"], "approve").status_code, range(8)))
    assert codes == [200] + [409] * 7
    api.wait_for_status(case["id"], "closed")


def test_who_may_decide_and_read(api):
    case = api.open_case({"owned_property": True})
    task = api.task("staff-shisan", case["id"])
    # Other departments, residents and devices are refused; anonymous callers are asked to sign in
    for user in ("staff-zei", "resident-1", "kiosk-1"):
        assert api.decide(user, task["id"], "approve").status_code == 403
        assert api.decide(user, task["id"], "return", {"reason": "x"}).status_code == 403
    assert api.decide(None, task["id"], "approve").status_code == 401
    assert api.call("GET", f"/cases/{case['id']}", "staff-kodomo").status_code == 403
    assert api.call("GET", f"/cases/{case['id']}", "resident-2").status_code == 404  # not theirs: not there
    assert api.call("GET", f"/cases/{case['id']}", "ticket-1").status_code == 403
    assert api.call("GET", "/cases/c-unknown", "staff-onestop").status_code == 404
    assert api.decide("staff-shisan", "unknown-task", "approve").status_code == 404
    # A return needs a reason
    assert api.decide("staff-shisan", task["id"], "return", {}).status_code == 422
    # Only one-stop staff open cases at the counter, always with identity
    body = {
        "event": "bereavement",
        "subject": subject("bereavement"),
        "answers": {"owned_property": True},
        "identity": IDENTITY,
    }
    assert api.call("POST", "/cases", "staff-zei", body).status_code == 403
    missing = api.call(
        "POST",
        "/cases",
        "staff-onestop",
        {"event": "bereavement", "subject": subject("bereavement"), "answers": {"owned_property": True}},
    )
    assert missing.status_code == 422 and missing.json()["detail"][0]["loc"] == ["body", "identity"]


def test_bad_answers_are_refused_with_their_field(api):
    body = {
        "event": "bereavement",
        "subject": subject("bereavement"),
        "answers": {"no_such_question": True, "had_kokuho": "yes"},
        "identity": IDENTITY,
    }
    response = api.call("POST", "/cases?lang=en", "staff-onestop", body)
    assert response.status_code == 422
    locs = [item["loc"] for item in response.json()["detail"]]
    assert ["body", "answers", "no_such_question"] in locs and ["body", "answers", "had_kokuho"] in locs
    unknown = api.call("POST", "/cases", "staff-onestop", {"event": "wedding", "answers": {}, "identity": IDENTITY})
    assert unknown.status_code == 422


def test_pre_registration_starts_when_identity_is_recorded_once(api):
    case = api.call(
        "POST",
        "/cases",
        "resident-2",
        {"event": "bereavement", "subject": subject("bereavement"), "answers": {"was_taxpayer": True}},
    ).json()
    assert case["status"] == "awaiting_identity" and "identity" not in case and "thread" not in case
    own = api.call("GET", f"/cases/{case['id']}", "resident-2")
    assert own.status_code == 200 and set(own.json()) == {
        "id",
        "code",
        "qr_svg",
        "subject",
        "event",
        "event_name",
        "status",
        "opened_at",
        "closed_at",
        "counter",
        "steps",
        "done",
        "remaining",
    }
    assert api.call("GET", f"/cases/{case['id']}", "resident-1").status_code == 404
    assert api.call("POST", f"/cases/{case['id']}/identity", "staff-zei", IDENTITY).status_code == 403
    opened = api.call("POST", f"/cases/{case['id']}/identity", "staff-onestop", IDENTITY)
    assert opened.status_code == 200 and opened.json()["status"] == "open"
    assert api.call("POST", f"/cases/{case['id']}/identity", "staff-onestop", IDENTITY).status_code == 409
    task = api.task("staff-zei", case["id"])
    assert api.decide("staff-zei", task["id"], "approve").status_code == 200
    api.wait_for_status(case["id"], "closed")


def test_moving_in_registers_residence_before_the_other_departments(api):
    case = api.open_case({"has_children": True, "join_kokuho": True}, event="moving_in")
    assert case["steps"][0]["department"] == "shimin"
    shimin = api.task("staff-shimin", case["id"])
    time.sleep(0.5)
    others = api.call("GET", "/staff/tasks", "staff-hoken").json()["tasks"]
    assert all(t["case_id"] != case["id"] for t in others)  # nobody else works before 転入届
    assert api.decide("staff-shimin", shimin["id"], "approve").status_code == 200
    for step in case["steps"][1:]:
        user = f"staff-{step['department']}"
        assert api.decide(user, api.task(user, case["id"])["id"], "approve").status_code == 200
    api.wait_for_status(case["id"], "closed")


def test_thread_and_internal_verification(api):
    case = api.open_case({"had_children_allowance": True})
    # The one-stop counter asks 市民税課 on the thread, and 市民税課 confirms income instead of a certificate
    message = api.call(
        "POST",
        f"/cases/{case['id']}/thread",
        "staff-onestop",
        {"to_department": "zei", "text": "所得の確認をお願いします"},
    )
    assert message.status_code == 200
    asked = api.call(
        "POST",
        f"/cases/{case['id']}/verifications",
        "staff-kodomo",
        {"department": "zei", "question": "前年の所得は限度額未満ですか"},
    )
    assert asked.status_code == 200
    verification = asked.json()["id"]
    path = f"/cases/{case['id']}/verifications/{verification}/answer"
    assert api.call("POST", path, "staff-kodomo", {"answer": "はい"}).status_code == 403
    assert api.call("POST", path, "staff-zei", {"answer": "限度額未満です"}).status_code == 200
    assert api.call("POST", path, "staff-zei", {"answer": "again"}).status_code == 409
    seen = api.case(case["id"], "staff-zei")  # 市民税課 was asked, so it may read the case
    assert seen["verifications"][0]["answer"] == "限度額未満です"
    assert seen["thread"][0]["text"] == "所得の確認をお願いします"
    assert (
        api.call("POST", f"/cases/{case['id']}/thread", "resident-1", {"to_department": "zei", "text": "x"}).status_code
        == 403
    )
    assert (
        api.call(
            "POST", f"/cases/{case['id']}/thread", "staff-onestop", {"to_department": "nowhere", "text": "x"}
        ).status_code
        == 422
    )


def test_life_events_and_their_questions_are_public(api):
    events = api.call("GET", "/life-events?lang=en", None).json()["events"]
    assert {e["id"] for e in events} == {"bereavement", "moving_in"}
    bereavement = api.call("GET", "/life-events/bereavement?lang=en", None).json()
    assert any(q["id"] == "had_kokuho" for q in bereavement["questions"])
    assert api.call("GET", "/life-events/wedding", None).status_code == 404


def test_a_district_centre_opens_a_case_and_asks_a_department_remotely(api):
    # Given a resident received at a district citizens' centre (地区市民センター), not at city hall
    body = {
        "event": "bereavement",
        "subject": subject("bereavement"),
        "answers": {"was_taxpayer": True},
        "identity": IDENTITY,
    }
    opened = api.call("POST", "/cases", "staff-chiku", body)
    assert opened.status_code == 200
    case = opened.json()
    assert case["identity"]["verified_by"] == "staff-chiku"
    # When the centre asks 市民税課 on the case's thread, and 市民税課 answers there
    asked = api.call(
        "POST", f"/cases/{case['id']}/thread", "staff-chiku", {"to_department": "zei", "text": "納税状況は"}
    )
    assert asked.status_code == 200
    reply = {"to_department": "chiku", "text": "未納はありません"}
    assert api.call("POST", f"/cases/{case['id']}/thread", "staff-zei", reply).status_code == 200
    # Then both see the exchange on the case, and the department's step goes on as usual
    thread = api.case(case["id"], "staff-chiku")["thread"]
    assert [m["text"] for m in thread] == ["納税状況は", "未納はありません"]
    task = api.task("staff-zei", case["id"])
    assert api.decide("staff-zei", task["id"], "approve").status_code == 200
    api.wait_for_status(case["id"], "closed")


def test_a_retried_open_with_the_same_idempotency_key_is_one_case_and_one_execution(api, local_stack, auth_header):
    # Given a clerk's POST /cases retried with the same Idempotency-Key (a lost response)
    body = {
        "event": "bereavement",
        "subject": subject("bereavement"),
        "answers": {"owned_property": True},
        "identity": IDENTITY,
    }
    key = f"retry-{random.randrange(10**9)}"
    headers = {**auth_header("staff-onestop"), "Idempotency-Key": key}
    first = requests.post(f"{api.url}/cases", json=body, headers=headers, timeout=15)
    again = requests.post(f"{api.url}/cases", json=body, headers=headers, timeout=15)
    # Then both answers are the same case, and one execution runs for it
    assert first.status_code == again.status_code == 200, again.text
    assert again.json()["id"] == first.json()["id"]
    local_stack.streams.drain()  # the outbox worker starts the workflow the open owed
    executions = boto3.client("stepfunctions").list_executions(
        stateMachineArn=local_stack.state_machines["bereavement"]
    )
    assert [e["name"] for e in executions["executions"]].count(first.json()["id"]) == 1
    # And without the key, the same body is another case
    other = api.call("POST", "/cases", "staff-onestop", body).json()
    assert other["id"] != first.json()["id"]


# --- issue 13: the workflow's start and each answer are owed in the change's own write (the outbox) ---------


def outbox_item(effect_id: str) -> dict[str, Any] | None:
    table = boto3.resource("dynamodb").Table(catalogue.table("outbox").local_name)
    item = table.get_item(Key={"pk": effect_id}, ConsistentRead=True).get("Item")
    return dict(item) if item else None


def executions_of(local_stack, event: str, case_id: str) -> int:
    listed = boto3.client("stepfunctions").list_executions(
        stateMachineArn=local_stack.state_machines[event], maxResults=1000
    )
    return [e["name"] for e in listed["executions"]].count(case_id)


def test_killed_after_the_identity_write_the_start_is_owed_and_the_worker_starts_it_once(api, local_stack):
    # Given a resident's pre-registration
    body = {"event": "bereavement", "subject": subject("bereavement"), "answers": {"owned_property": True}}
    case = api.call("POST", "/cases", "resident-2", body).json()
    effect_id = f"cases:{case['id']}:start_workflow"
    assert outbox_item(effect_id) is None  # awaiting identity owes nothing
    # When staff record identity and no worker runs after the write (the stream held back: a function killed
    # right after its commit is the same to the outbox)
    with local_stack.streams.held():
        opened = api.call("POST", f"/cases/{case['id']}/identity", "staff-onestop", IDENTITY)
        assert opened.status_code == 200 and opened.json()["status"] == "open"
        assert opened.json()["workflow_starting"] is True
        owed = outbox_item(effect_id)
        assert owed is not None and owed["queue"] == "EFFECT" and owed["attempts"] == 0
        assert executions_of(local_stack, "bereavement", case["id"]) == 0
        assert api.case(case["id"])["workflow_starting"] is True
        own = api.call("GET", f"/cases/{case['id']}", "resident-2").json()
        assert own["status"] == "open" and "workflow_starting" not in own  # the resident sees it in progress
    # Then the stream delivers it: done at the first try, one execution, and the department's task waits
    local_stack.streams.drain()
    done = outbox_item(effect_id)
    assert done is not None and "queue" not in done and done["attempts"] == 0 and done["done_at"]
    assert executions_of(local_stack, "bereavement", case["id"]) == 1
    assert api.task("staff-shisan", case["id"])
    seen = api.case(case["id"])
    assert seen["workflow_starting"] is False and "workflow_started" in [e["action"] for e in seen["timeline"]]


def test_killed_after_the_decision_write_the_answer_is_owed_and_the_worker_advances_the_workflow(api, local_stack):
    case = api.open_case({"owned_property": True})
    task = api.task("staff-shisan", case["id"])
    effect_id = f"cases:{task['id']}:answer_task"
    with local_stack.streams.held():  # no worker runs after the write
        decided = api.decide("staff-shisan", task["id"], "approve", {"note": "ok"})
        assert decided.status_code == 200 and decided.json()["status"] == "approved"
        owed = outbox_item(effect_id)
        assert owed is not None and owed["queue"] == "EFFECT" and owed["attempts"] == 0
        assert json.loads(owed["event"])["payload"] == {"task_id": task["id"], "decision": "approved"}
        assert api.case(case["id"])["status"] == "open"  # the workflow has not had the answer yet
    local_stack.streams.drain()
    done = outbox_item(effect_id)
    assert done is not None and "queue" not in done and done["attempts"] == 0
    api.wait_for_status(case["id"], "closed")
    assert not any(token in owed["event"] for token in stored_tokens())  # the token stays in the task record

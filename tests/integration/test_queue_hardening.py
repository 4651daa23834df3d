"""Issue 13 on the queue, through the local gateway: retried ticket issues, the staff cancel, what a stranger
holding a ticket id sees, and crafted Web Push endpoints."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import requests

from tests.integration.line_helpers import line_linked

Call = Callable[..., requests.Response]


@pytest.fixture
def api(stack_url: str, auth_header: Callable[[str], dict[str, str]]) -> Call:
    def call(
        method: str, path: str, user: str | None = None, body: Any = None, headers: dict[str, str] | None = None
    ) -> requests.Response:
        sent = {**(auth_header(user) if user else {}), **(headers or {})}
        return requests.request(method, f"{stack_url}{path}", json=body, headers=sent, timeout=60)

    return call


def issue(api: Call, counter: str, service: str, device: str = "ticket-1", key: str | None = None) -> dict:
    headers = {"Idempotency-Key": key} if key else None
    response = api("POST", f"/queues/{counter}/tickets", device, {"service": service}, headers)
    assert response.status_code == 200, response.text
    return dict(response.json())


def last_issued(api: Call, counter: str) -> int:
    return int(api("GET", f"/queues/{counter}/status").json()["last_issued"])


# --- 7: a retried issue returns the first ticket ------------------------------------------------------------
def test_a_retried_issue_with_the_same_idempotency_key_returns_the_same_ticket(api: Call) -> None:
    key = str(uuid.uuid4())
    before = last_issued(api, "zei")
    first = issue(api, "zei", "shotoku", key=key)
    again = issue(api, "zei", "shotoku", key=key)
    assert again["id"] == first["id"] and again["number"] == first["number"]
    assert again["status_url"] == first["status_url"] and again["qr_svg"] == first["qr_svg"]
    assert last_issued(api, "zei") == before + 1  # one number taken, not two
    # keyed per caller: another machine using the same key gets its own ticket
    other = issue(api, "zei", "shotoku", device="kiosk-1", key=key)
    assert other["id"] != first["id"] and last_issued(api, "zei") == before + 2
    # without a key every POST is a new ticket
    assert issue(api, "zei", "shotoku")["id"] != issue(api, "zei", "shotoku")["id"]


def test_concurrent_retries_with_one_key_issue_one_ticket(api: Call) -> None:
    key = str(uuid.uuid4())
    before = last_issued(api, "kodomo")
    with ThreadPoolExecutor(4) as pool:
        tickets = list(pool.map(lambda _: issue(api, "kodomo", "iryohi", key=key), range(4)))
    assert len({t["id"] for t in tickets}) == 1
    assert last_issued(api, "kodomo") == before + 1


def test_a_retried_call_with_the_same_key_answers_the_first_call(api: Call) -> None:
    issue(api, "shimin_idou", "tennyu")
    key = {"Idempotency-Key": str(uuid.uuid4())}
    first = api("POST", "/queues/shimin_idou/call-next", "staff-shimin", {"desk": "5"}, key)
    issue(api, "shimin_idou", "tennyu")  # someone waits behind: a second call would take them
    again = api("POST", "/queues/shimin_idou/call-next", "staff-shimin", {"desk": "5"}, key)
    assert first.status_code == again.status_code == 200, again.text
    assert first.json()["ticket"] is not None and again.json() == first.json()


def test_a_retried_recall_with_the_same_key_recalls_once(api: Call) -> None:
    issue(api, "shimin_idou", "tennyu")
    called = api("POST", "/queues/shimin_idou/call-next", "staff-shimin", {"desk": "6"}).json()["ticket"]
    path = f"/queues/shimin_idou/tickets/{called['id']}/recall"
    key = {"Idempotency-Key": str(uuid.uuid4())}
    first = api("POST", path, "staff-shimin", None, key)
    again = api("POST", path, "staff-shimin", None, key)
    assert first.status_code == again.status_code == 200, again.text
    assert first.json()["recalls"] == again.json()["recalls"] == called["recalls"] + 1
    assert api("POST", path, "staff-shimin").json()["recalls"] == called["recalls"] + 2  # a new press


def test_the_idempotency_key_is_documented(api: Call) -> None:
    spec = api("GET", "/openapi.json").json()
    operation = spec["paths"]["/queues/{counterId}/tickets"]["post"]
    assert "Idempotency-Key" in operation.get("description", "") or any(
        p.get("name") == "Idempotency-Key" for p in operation.get("parameters", [])
    )


# --- the staff cancel ---------------------------------------------------------------------------------------------
def test_staff_cancel_takes_the_ticket_out_of_the_line_and_refusals_change_nothing(api: Call) -> None:
    ticket = issue(api, "hoken", "kokuho")
    path = f"/queues/hoken/tickets/{ticket['id']}/cancel"

    def stored() -> dict:
        return dict(api("GET", f"/tickets/{ticket['id']}").json())

    before = stored()
    assert before["state"] == "waiting"
    # refused: anonymous, a resident, a device, staff of another department, through another counter, a forged id
    assert api("POST", path).status_code == 401
    for user in ("resident-1", "ticket-1", "staff-zei"):
        assert api("POST", path, user).status_code == 403
    assert api("POST", f"/queues/zei/tickets/{ticket['id']}/cancel", "staff-zei").status_code == 404
    forged = ticket["id"][:-8] + "00000000"
    assert api("POST", f"/queues/hoken/tickets/{forged}/cancel", "staff-hoken").status_code == 404
    assert stored() == before
    # the counter's staff cancel it
    cancelled = api("POST", path, "staff-hoken")
    assert cancelled.status_code == 200, cancelled.text
    body = cancelled.json()
    assert body["id"] == ticket["id"] and body["state"] == "cancelled" and body["number"] == ticket["number"]
    after = stored()
    assert after["state"] == "cancelled" and after["ahead"] is None
    board = api("GET", "/queues/hoken/status").json()
    assert ticket["number"] not in [q["number"] for q in board["queue"]]
    listed = api("GET", "/queues/hoken/tickets", "staff-hoken").json()["tickets"]
    assert ticket["id"] not in [t["id"] for t in listed]
    # a second cancel is a translated 409 and changes nothing
    again = api("POST", f"{path}?lang=en", "staff-hoken")
    assert again.status_code == 409 and again.json()["message"] == "This ticket cannot do that in its current state."
    assert stored() == after


def test_a_served_ticket_cannot_be_cancelled(api: Call) -> None:
    ticket = issue(api, "shimin_idou", "tenkyo")
    while called := api("POST", "/queues/shimin_idou/call-next", "staff-shimin", {"desk": "3"}).json()["ticket"]:
        api("POST", f"/queues/shimin_idou/tickets/{called['id']}/complete", "staff-shimin")
        if called["id"] == ticket["id"]:
            break
    done = api("GET", f"/tickets/{ticket['id']}").json()
    assert done["state"] == "done"
    refused = api("POST", f"/queues/shimin_idou/tickets/{ticket['id']}/cancel", "staff-shimin")
    assert refused.status_code == 409
    assert api("GET", f"/tickets/{ticket['id']}").json() == done


# --- what a stranger holding the ticket id sees -------------------------------------------------------------------
PUBLIC_FIELDS = {
    "id",
    "number",
    "counter",
    "counter_name",
    "service",
    "service_name",
    "state",
    "ahead",
    "estimated_wait_minutes",
    "desk",
    "called_at",
    "absent_until",
    "transferred_to",
    "arrived_at",
    "notify_line",
    "notify_webpush",
    "notify_ahead",
}


def test_the_ticket_view_holds_nothing_personal(
    api: Call, local_stack: Any, stack_url: str, auth_header: Callable[[str], dict[str, str]]
) -> None:
    ticket = issue(api, "okuyami", "okuyami", device="kiosk-1")
    endpoint = f"{local_stack.push.url}/push/{uuid.uuid4().hex}"
    opted = api(
        "POST",
        f"/tickets/{ticket['id']}/notifications",
        None,
        {"ahead": 0, "webpush": {"endpoint": endpoint, "keys": {"p256dh": "x", "auth": "y"}}},
    )
    assert opted.status_code == 200, opted.text
    with line_linked(stack_url, auth_header, "resident-1", "line-user-1") as line_id:
        opted = api("POST", f"/tickets/{ticket['id']}/notifications/line", "resident-1", {"ahead": 0})
        assert opted.status_code == 200, opted.text
    views = [api("GET", f"/tickets/{ticket['id']}").json()]
    called = None
    while nxt := api("POST", "/queues/okuyami/call-next", "staff-onestop", {"desk": "9"}).json()["ticket"]:
        if nxt["id"] == ticket["id"]:
            called = nxt
            break
        api("POST", f"/queues/okuyami/tickets/{nxt['id']}/complete", "staff-onestop")
    assert called is not None
    views.append(api("GET", f"/tickets/{ticket['id']}").json())  # live, called: from the cached status
    api("POST", f"/queues/okuyami/tickets/{ticket['id']}/complete", "staff-onestop")
    views.append(api("GET", f"/tickets/{ticket['id']}").json())  # finished: from the ticket item
    for view in views:
        assert set(view) == PUBLIC_FIELDS  # no issued_by, called_by, priority, LINE id or subscription
        text = str(view)
        for secret in (line_id, endpoint, "kiosk-1", "staff-onestop", "p256dh"):
            assert secret not in text
    assert views[1]["state"] == "called" and views[2]["state"] == "done"
    assert views[0]["notify_line"] is True and views[0]["notify_webpush"] is True


# --- 1: crafted Web Push endpoints --------------------------------------------------------------------------------
CRAFTED = [
    "http://localhost\\@fcm.googleapis.com/x",
    "https://localhost\\@fcm.googleapis.com/x",
    "https://fcm.googleapis.com@169.254.169.254/latest/meta-data",
    "https://169.254.169.254/latest/meta-data",
    "https://fcm.googleapis.com:8443/x",
    "http://fcm.googleapis.com/x",
    "https://[::1]/x",
    "https://fcm.googleapis.com.evil.example/x",
]


@pytest.mark.parametrize("endpoint", CRAFTED)
def test_a_crafted_push_endpoint_is_refused_and_nothing_is_sent_or_stored(
    api: Call, local_stack: Any, endpoint: str
) -> None:
    ticket = issue(api, "shimin_cert", "inkan")
    received = len(local_stack.push.received)
    r = api(
        "POST",
        f"/tickets/{ticket['id']}/notifications?lang=en",
        None,
        {"ahead": 50, "webpush": {"endpoint": endpoint, "keys": {"p256dh": "x", "auth": "y"}}},
    )
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "webpush", "endpoint"]
    assert r.json()["detail"][0]["msg"]
    view = api("GET", f"/tickets/{ticket['id']}").json()
    assert view["notify_webpush"] is False and view["notify_ahead"] is None
    assert len(local_stack.push.received) == received

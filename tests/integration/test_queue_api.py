"""Queue tickets through the local gateway: numbering under concurrency, calling rules, who may do what,
notices through the LINE stand-in and a recording Web Push endpoint, live congestion and the calendar."""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import http_ece
import pytest
import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from icalendar import Calendar

from tests.integration.line_helpers import line_linked

Call = Callable[..., requests.Response]


@pytest.fixture
def api(stack_url: str, auth_header: Callable[[str], dict[str, str]]) -> Call:
    def call(method: str, path: str, user: str | None = None, body: Any = None) -> requests.Response:
        headers = auth_header(user) if user else {}
        # These tests check results, not speed: a loaded machine may queue 200 parallel calls for a while.
        return requests.request(method, f"{stack_url}{path}", json=body, headers=headers, timeout=120)

    return call


def drain(api: Call, counter: str, staff: str) -> None:
    """Serve everyone still waiting at the counter (tests share one stack and one day)."""
    while (ticket := api("POST", f"/queues/{counter}/call-next", staff, {"desk": "1"}).json()["ticket"]) is not None:
        assert api("POST", f"/queues/{counter}/tickets/{ticket['id']}/complete", staff).status_code == 200


def issue(api: Call, counter: str, service: str, priority: str | None = None, device: str = "ticket-1") -> dict:
    response = api("POST", f"/queues/{counter}/tickets", device, {"service": service, "priority": priority})
    assert response.status_code == 200, response.text
    return dict(response.json())


def test_200_concurrent_issues_give_200_distinct_consecutive_numbers(api: Call) -> None:
    before = api("GET", "/queues/kodomo/status").json()["last_issued"]
    with ThreadPoolExecutor(16) as pool:
        tickets = list(
            pool.map(
                lambda i: issue(api, "kodomo", "jido_teate", device="kiosk-1" if i % 2 else "ticket-1"), range(200)
            )
        )
    numbers = sorted(t["number"] for t in tickets)
    assert numbers == list(range(before + 1, before + 201))
    status = api("GET", "/queues/kodomo/status").json()
    assert status["last_issued"] == before + 200 and status["waiting"] >= 200


def test_the_printed_ticket_and_its_status_page(api: Call) -> None:
    ticket = issue(api, "zei", "shotoku")
    assert ticket["status_url"].endswith(f"/ticket/?id={ticket['id']}") and "<svg" in ticket["qr_svg"]
    assert ticket["ahead"] >= 0 and ticket["estimated_wait_minutes"] is not None
    view = api("GET", f"/tickets/{ticket['id']}?lang=en").json()
    assert view["number"] == ticket["number"] and view["counter_name"] == "Municipal tax" and view["state"] == "waiting"
    forged = ticket["id"][:-8] + "00000000"
    assert api("GET", f"/tickets/{forged}").status_code == 404
    assert api("GET", "/tickets/nonsense").status_code == 404


def test_priority_then_arrival_and_two_desks_never_call_the_same_ticket(api: Call) -> None:
    drain(api, "shimin_koseki", "staff-shimin")
    a = issue(api, "shimin_koseki", "konin")
    b = issue(api, "shimin_koseki", "shussei")
    c = issue(api, "shimin_koseki", "konin", priority="appointment")
    with ThreadPoolExecutor(3) as pool:
        called = list(
            pool.map(
                lambda d: api("POST", "/queues/shimin_koseki/call-next", "staff-shimin", {"desk": str(d)}).json()[
                    "ticket"
                ],
                range(3),
            )
        )
    ids = [t["id"] for t in called]
    assert sorted(ids) == sorted([a["id"], b["id"], c["id"]])  # three desks, three different tickets
    assert min(called, key=lambda t: t["called_at"])["id"] == c["id"] or len(set(ids)) == 3
    assert api("POST", "/queues/shimin_koseki/call-next", "staff-shimin", {"desk": "1"}).json()["ticket"] is None
    board = api("GET", "/queues/shimin_koseki/status").json()
    assert "priority" not in api("GET", "/queues/shimin_koseki/status").text  # who needs help is for staff only
    assert sorted(x["number"] for x in board["calling"]) == sorted([a["number"], b["number"], c["number"]])


def test_absent_requeue_recall_complete_and_transfer(api: Call) -> None:
    drain(api, "okuyami", "staff-onestop")
    first = issue(api, "okuyami", "okuyami")
    second = issue(api, "okuyami", "okuyami")
    path = "/queues/okuyami/tickets"
    assert (
        api("POST", "/queues/okuyami/call-next", "staff-onestop", {"desk": "7"}).json()["ticket"]["id"] == first["id"]
    )
    absent = api("POST", f"{path}/{first['id']}/absent", "staff-onestop").json()
    assert absent["state"] == "absent" and absent["absent_until"]
    wrong = api("POST", f"{path}/{first['id']}/complete?lang=en", "staff-onestop")
    assert wrong.status_code == 409 and wrong.json()["message"] == "This ticket cannot do that in its current state."
    back = api("POST", f"{path}/{first['id']}/requeue", "staff-onestop").json()
    assert back["state"] == "waiting"
    # back in line at the original arrival: called before the second ticket
    assert (
        api("POST", "/queues/okuyami/call-next", "staff-onestop", {"desk": "7"}).json()["ticket"]["id"] == first["id"]
    )
    assert api("POST", f"{path}/{first['id']}/recall", "staff-onestop").json()["recalls"] == 1
    # the one-stop counter hands the resident to 保険年金 keeping the first arrival time
    moved = api("POST", f"{path}/{first['id']}/transfer", "staff-onestop", {"to": "hoken", "service": "kokuho"}).json()
    assert moved["counter"] == "hoken" and moved["arrived_at"] == first["arrived_at"]
    old = api("GET", f"/tickets/{first['id']}").json()
    assert old["state"] == "transferred" and old["transferred_to"] == moved["id"]
    assert api("GET", f"/tickets/{moved['id']}").json()["state"] == "waiting"
    assert (
        api("POST", f"{path}/{first['id']}/transfer", "staff-onestop", {"to": "hoken", "service": "kokuho"}).status_code
        == 409
    )
    called = api("POST", "/queues/okuyami/call-next", "staff-onestop", {"desk": "7"}).json()["ticket"]
    done = api("POST", f"{path}/{called['id']}/complete", "staff-onestop").json()
    assert done["id"] == second["id"] and done["state"] == "done" and done["service_seconds"] is not None
    stats = api("GET", "/queues/okuyami/stats?days=7", "staff-onestop").json()
    assert stats["days"][-1]["served"] >= 1


def test_who_may_issue_call_and_read_statistics(api: Call) -> None:
    ticket = issue(api, "hoken", "nenkin")
    assert api("POST", "/queues/hoken/tickets", None, {"service": "nenkin"}).status_code == 401
    for user in ("resident-1", "staff-hoken"):
        assert api("POST", "/queues/hoken/tickets", user, {"service": "nenkin"}).status_code == 403
    assert api("POST", "/queues/hoken/call-next", None, {"desk": "1"}).status_code == 401
    for user in ("staff-shimin", "resident-1", "ticket-1", "kiosk-1"):
        assert api("POST", "/queues/hoken/call-next", user, {"desk": "1"}).status_code == 403
        assert api("POST", f"/queues/hoken/tickets/{ticket['id']}/complete", user).status_code == 403
        assert api("GET", "/queues/hoken/stats", user).status_code == 403
    assert api("GET", "/queues/hoken/stats").status_code == 401
    assert api("GET", "/queues/hoken/tickets").status_code == 401
    assert api("GET", "/queues/hoken/tickets", "staff-zei").status_code == 403
    listed = api("GET", "/queues/hoken/tickets", "staff-hoken").json()["tickets"]
    assert ticket["id"] in [t["id"] for t in listed]
    # a ticket of one counter cannot be acted on through another
    assert api("POST", f"/queues/zei/tickets/{ticket['id']}/complete", "staff-zei").status_code == 404


def test_bad_input_is_refused_in_the_callers_language(api: Call) -> None:
    r = api("POST", "/queues/hoken/tickets?lang=en", "ticket-1", {"service": "juminhyo"})
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "service"]
    assert r.json()["message"] == "Please check what you entered."
    assert r.json()["detail"][0]["msg"] == "This counter does not offer that service."
    r = api("POST", "/queues/nowhere/tickets", "ticket-1", {"service": "x"})
    assert r.status_code == 404
    ticket = issue(api, "hoken", "nenkin")
    # LINE is not taken on the open route (a typed id is ignored, and then nothing was asked for)
    r = api("POST", f"/tickets/{ticket['id']}/notifications?lang=pt", None, {"line_user_id": "U" + "0" * 32})
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body"]
    assert api("POST", f"/tickets/{ticket['id']}/notifications", None, {"ahead": 2}).status_code == 422
    elsewhere = {"webpush": {"endpoint": "https://attacker.example/collect", "keys": {"p256dh": "x", "auth": "y"}}}
    r = api("POST", f"/tickets/{ticket['id']}/notifications?lang=en", None, elsewhere)
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "webpush", "endpoint"]
    assert api("GET", "/congestion/calendar?month=2026-13").status_code == 422


# --- notices ------------------------------------------------------------------------------------------------------
def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


NOTICE = re.compile(
    r"^【市民課 証明書】番号 \d+"
    r"(：あと \d+ 人でお呼びします。| をお呼びしています。\d+窓口へお越しください。)"
    r"http://127\.0\.0\.1:\d+/ticket/\?id=shimin_cert-\d{8}-\d+-[0-9a-f]{8}$"
)


def test_line_and_web_push_tell_only_number_counter_and_link(
    api: Call, local_stack: Any, stack_url: str, auth_header: Callable[[str], dict[str, str]]
) -> None:
    push_service = local_stack.push  # the local stack's recording push service (WEBPUSH_ORIGINS)
    drain(api, "shimin_cert", "staff-shimin")
    browser_key = ec.generate_private_key(ec.SECP256R1())
    auth = b"0123456789abcdef"
    p256dh = browser_key.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    tickets = [issue(api, "shimin_cert", "juminhyo") for _ in range(3)]
    mine = tickets[-1]
    vapid = api("GET", "/notifications/webpush-key").json()["public_key"]
    assert len(base64.urlsafe_b64decode(vapid + "==")) == 65
    opt = api(
        "POST",
        f"/tickets/{mine['id']}/notifications",
        None,
        {
            "ahead": 1,
            "lang": "ja",
            "webpush": {
                "endpoint": f"{push_service.url}/push/{mine['id']}",
                "keys": {"p256dh": _b64(p256dh), "auth": _b64(auth)},
            },
        },
    )
    assert opt.status_code == 200 and opt.json()["notify_webpush"] and not opt.json()["notify_line"]
    with line_linked(stack_url, auth_header, "resident-1", "line-user-1") as line_id:
        # the holder, signed in, opts in to LINE at the account they linked; the Web Push opt-in stays
        opt = api("POST", f"/tickets/{mine['id']}/notifications/line", "resident-1", {"ahead": 1, "lang": "ja"})
        assert opt.status_code == 200 and opt.json()["notify_line"] and opt.json()["notify_webpush"]
        start = len(local_stack.line.sent)
        for _ in range(3):
            assert api("POST", "/queues/shimin_cert/call-next", "staff-shimin", {"desk": "5"}).json()["ticket"]
            local_stack.streams.drain()  # the outbox worker delivers the notices each call owed
    pushes = [m for m in local_stack.line.sent[start:] if m.get("to") == line_id]
    texts = [msg["text"] for m in pushes for msg in m["messages"]]
    assert len(texts) == 2, texts  # one "1 ahead", one "called"
    assert "あと 1 人" in texts[0] and "番号 " + str(mine["number"]) + " をお呼びしています。5窓口" in texts[1]
    # LINE carries the number, the counter and a link: nothing else
    assert all(NOTICE.match(t) for t in texts), texts
    # the browser's push service got the same two notices, encrypted for the browser and signed with VAPID
    path = f"/push/{mine['id']}"
    received = [(headers, body) for at, headers, body in push_service.received if at == path]
    assert len(received) == 2
    decrypted = []
    for headers, body in received:
        assert headers["Authorization"].startswith("vapid t=") and f"k={vapid}" in headers["Authorization"]
        assert headers["Content-Encoding"] == "aes128gcm"
        decrypted.append(
            json.loads(http_ece.decrypt(body, private_key=browser_key, auth_secret=auth, version="aes128gcm"))["body"]
        )
    assert decrypted == texts
    # and what anyone can poll shows numbers only: no LINE id, no subscription, no ticket key
    for public in (
        api("GET", "/queues/shimin_cert/status").text,
        api("GET", "/congestion/now").text,
        api("GET", f"/tickets/{mine['id']}").text,
    ):
        assert (
            line_id not in public
            and push_service.url not in public
            and mine["id"][-8:] not in public.replace(mine["id"], "")
        )


def test_live_congestion_and_the_calendar(api: Call, local_stack: Any) -> None:
    issue(api, "shimin_idou", "tennyu")
    now = api("GET", "/congestion/now?lang=en").json()
    idou = next(c for c in now["counters"] if c["counter"] == "shimin_idou")
    assert idou["waiting"] >= 1 and idou["name"] == "Moving in and out" and idou["level"] in ("low", "medium", "high")
    result = local_stack.run_scheduled("congestion_forecast")
    month = result["months"][1]
    cal = api("GET", f"/congestion/calendar?month={month}&counter=shimin_koseki").json()
    open_days = [d for d in cal["days"] if not d["closed"]]
    assert open_days and all(len(d["bands"]) == 3 for d in open_days)
    assert all(d["rokuyo"] in ("大安", "赤口", "先勝", "友引", "先負", "仏滅") for d in cal["days"])
    taian = [b["wait_minutes"] for d in open_days if d["rokuyo"] == "大安" for b in d["bands"]]
    butsu = [b["wait_minutes"] for d in open_days if d["rokuyo"] == "仏滅" for b in d["bands"]]
    assert sum(taian) / len(taian) > sum(butsu) / len(butsu)  # lucky days crowd 婚姻届 and 出生届
    ics = api("GET", "/congestion/calendar.ics")
    assert ics.headers["Content-Type"].startswith("text/calendar")
    events = Calendar.from_ical(ics.content).walk("VEVENT")
    assert events and all(str(e["SUMMARY"]) for e in events)
    page = api("GET", f"/congestion/calendar.html?month={month}&lang=en")
    assert page.headers["Content-Type"].startswith("text/html")
    assert "<table>" in page.text and "<script" not in page.text
    assert api("GET", "/congestion/calendar?month=1999-01").status_code == 404

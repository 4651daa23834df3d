"""LINE notices on a ticket go only to the LINE account the signed-in ticket holder linked by LINE Login: one call
opts in, the request names no LINE account, and the LINE stand-in receives the pushes for exactly that account.
A typed LINE id is no longer taken anywhere; strangers, staff, devices and unlinked residents are refused."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import requests

from infra.local.line import LINE_USERS
from madoguchi.shared.i18n import message
from tests.integration.line_helpers import line_linked, unlink_line

Call = Callable[..., requests.Response]
COUNTER, SERVICE, STAFF = "shimin_koseki", "konin", "staff-shimin"


@pytest.fixture
def api(stack_url: str, auth_header: Callable[[str], dict[str, str]]) -> Call:
    def call(method: str, path: str, user: str | None = None, body: Any = None, lang: str = "en") -> requests.Response:
        headers = {"Accept-Language": lang, **(auth_header(user) if user else {})}
        return requests.request(method, f"{stack_url}{path}", json=body, headers=headers, timeout=30)

    return call


def fresh_ticket(api: Call) -> dict[str, Any]:
    """A ticket first in line (tests share one stack and one day: everyone before it is served)."""
    while (t := api("POST", f"/queues/{COUNTER}/call-next", STAFF, {"desk": "3"}).json()["ticket"]) is not None:
        assert api("POST", f"/queues/{COUNTER}/tickets/{t['id']}/complete", STAFF).status_code == 200
    issued = api("POST", f"/queues/{COUNTER}/tickets", "ticket-1", {"service": SERVICE})
    assert issued.status_code == 200, issued.text
    return dict(issued.json())


def pushes_to(local_stack: Any, line_id: str, start: int) -> list[str]:
    return [msg["text"] for m in local_stack.line.sent[start:] if m.get("to") == line_id for msg in m["messages"]]


def test_a_linked_resident_opts_in_with_one_call_and_only_their_line_is_told(
    api: Call, stack_url: str, auth_header: Callable[[str], dict[str, str]], local_stack: Any
) -> None:
    mine, someone_else = LINE_USERS["line-user-2"], LINE_USERS["line-user-1"]
    with line_linked(stack_url, auth_header, "resident-2", "line-user-2"):
        ticket = fresh_ticket(api)
        start = len(local_stack.line.sent)
        # One call; a LINE id typed into the old field is ignored: the account is the caller's own link
        opted = api(
            "POST",
            f"/tickets/{ticket['id']}/notifications/line",
            "resident-2",
            {"ahead": 0, "lang": "ja", "line_user_id": someone_else},
        )
        assert opted.status_code == 200, opted.text
        assert opted.json()["notify_line"] is True and opted.json()["notify_webpush"] is False
        assert mine not in opted.text and someone_else not in opted.text
        local_stack.streams.drain()  # "0 ahead" (first in line), delivered by the outbox worker
        # When the ticket is called
        called = api("POST", f"/queues/{COUNTER}/call-next", STAFF, {"desk": "4"}).json()["ticket"]
        assert called["id"] == ticket["id"]
        local_stack.streams.drain()
        # Then the LINE stand-in got the call notice for exactly the resident's LINE account, once
        texts = pushes_to(local_stack, mine, start)  # "0 ahead" at once (first in line), then "called"
        assert len(texts) == 2 and f"番号 {ticket['number']} をお呼びしています。4窓口" in texts[1], texts
        assert pushes_to(local_stack, someone_else, start) == []
        assert all(m.get("to") == mine for m in local_stack.line.sent[start:])


def test_a_typed_line_id_on_the_open_route_is_refused_and_nothing_is_stored(api: Call, local_stack: Any) -> None:
    ticket = fresh_ticket(api)
    typed = "U" + "0badc0de" * 4
    refused = api("POST", f"/tickets/{ticket['id']}/notifications", None, {"ahead": 0, "line_user_id": typed})
    assert refused.status_code == 422, refused.text
    assert refused.json()["detail"][0]["msg"] == message("queue_notify_channel", "en")
    assert api("GET", f"/tickets/{ticket['id']}").json()["notify_line"] is False
    start = len(local_stack.line.sent)
    assert api("POST", f"/queues/{COUNTER}/call-next", STAFF, {"desk": "4"}).json()["ticket"]["id"] == ticket["id"]
    local_stack.streams.drain()
    assert pushes_to(local_stack, typed, start) == []


def test_who_may_opt_a_ticket_in_to_line(
    api: Call, stack_url: str, auth_header: Callable[[str], dict[str, str]], local_stack: Any
) -> None:
    ticket = fresh_ticket(api)
    path = f"/tickets/{ticket['id']}/notifications/line"
    body = {"ahead": 1, "lang": "en"}
    # A stranger without a sign-in, staff and devices
    assert api("POST", path, None, body).status_code == 401
    for user in ("staff-shimin", "kiosk-1", "ticket-1"):
        forbidden = api("POST", path, user, body)
        assert forbidden.status_code == 403, (user, forbidden.text)
    # A resident who has not linked LINE: a translated 409 and nothing stored
    unlink_line(stack_url, auth_header, "resident-pt")
    unlinked = api("POST", path, "resident-pt", body, lang="pt")
    assert unlinked.status_code == 409 and unlinked.json()["code"] == "line_not_linked"
    assert unlinked.json()["message"] == message("line_not_linked", "pt")
    assert api("GET", f"/tickets/{ticket['id']}").json()["notify_line"] is False
    with line_linked(stack_url, auth_header, "resident-pt", "line-user-1"):
        # Another ticket id (a guessed key, an unknown number, not a ticket id at all): 404 and nothing stored
        guessed = ticket["id"][:-8] + ("0" * 8 if not ticket["id"].endswith("0" * 8) else "1" * 8)
        counter, day, number, _ = ticket["id"].split("-")
        for other in (guessed, f"{counter}-{day}-{int(number) + 100000}-{ticket['id'][-8:]}", "no-such-ticket"):
            missing = api("POST", f"/tickets/{other}/notifications/line", "resident-pt", body)
            assert missing.status_code == 404, (other, missing.text)
        assert api("GET", f"/tickets/{ticket['id']}").json()["notify_line"] is False
        # Linked: opted in; a Web Push opt-in afterwards keeps the LINE account
        assert api("POST", path, "resident-pt", body).json()["notify_line"] is True
        endpoint = f"{local_stack.push.url}/push/{ticket['id']}"
        push = {"ahead": 1, "webpush": {"endpoint": endpoint, "keys": {"p256dh": "x", "auth": "y"}}}
        both = api("POST", f"/tickets/{ticket['id']}/notifications", None, push).json()
        assert both["notify_line"] is True and both["notify_webpush"] is True

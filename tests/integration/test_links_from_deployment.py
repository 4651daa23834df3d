"""Links sent outside a request come from the deployment's address (SITE_URL), never from request headers: forged
`Host`, `X-Forwarded-Host` and `Origin` change no printed ticket's QR link and no LINE notice (the e-mail and
checkout links are covered in test_applications_links.py)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import requests

from tests.integration.line_helpers import line_linked

FORGED = {"Host": "evil.example", "X-Forwarded-Host": "evil.example", "Origin": "https://evil.example"}
URL = re.compile(r"https?://[^\s\"'<>]+")


def test_forged_headers_change_no_ticket_link_and_no_line_notice(
    stack_url: str, auth_header: Callable[[str], dict[str, str]], local_stack: Any
) -> None:
    def call(method: str, path: str, user: str | None, body: Any = None) -> requests.Response:
        headers = {**FORGED, **(auth_header(user) if user else {})}
        return requests.request(method, f"{stack_url}{path}", json=body, headers=headers, timeout=30)

    # Given nobody waiting at the counter
    while (t := call("POST", "/queues/hoken/call-next", "staff-hoken", {"desk": "1"}).json()["ticket"]) is not None:
        assert call("POST", f"/queues/hoken/tickets/{t['id']}/complete", "staff-hoken").status_code == 200
    # When a ticket machine prints a ticket with forged headers
    receipt = call("POST", "/queues/hoken/tickets", "ticket-1", {"service": "kokuho"})
    assert receipt.status_code == 200, receipt.text
    ticket = receipt.json()
    # Then its QR link points at the site
    assert ticket["status_url"].startswith(f"{stack_url}/ticket/"), ticket["status_url"]
    assert "evil.example" not in receipt.text
    # And when its holder opts in to LINE and is called, the notice links to the site only
    with line_linked(stack_url, auth_header, "resident-1", "line-user-2") as line_id:
        opted = call("POST", f"/tickets/{ticket['id']}/notifications/line", "resident-1", {"ahead": 1})
        assert opted.status_code == 200, opted.text
        start = len(local_stack.line.sent)
        called = call("POST", "/queues/hoken/call-next", "staff-hoken", {"desk": "2"}).json()["ticket"]
        assert called["id"] == ticket["id"]
        local_stack.streams.drain()  # the notices are delivered by the outbox worker
    texts = [msg["text"] for m in local_stack.line.sent[start:] if m.get("to") == line_id for msg in m["messages"]]
    links = [u for text in texts for u in URL.findall(text)]
    assert texts and links, texts
    assert all(u.startswith(f"{stack_url}/") for u in links), links

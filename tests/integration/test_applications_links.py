"""Issue 13, flaw 2: links leaving the site (status e-mails, the payment page's way back) come from the
deployment's site origin only. A forged `return_url` is refused, forged Host / X-Forwarded-Host / Origin
headers change nothing, and the e-mail link is `/apply/?id=…&lang=…` (not `<return_url>/apply/?id=…`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import requests

from tests.integration.test_applications_flow import Api, jpeg_with_location

pytestmark = pytest.mark.xdist_group("applications")

FORGED = {"Host": "evil.example", "X-Forwarded-Host": "evil.example", "Origin": "https://evil.example"}


@pytest.fixture
def api(stack_url: str, auth_header: Callable[[str], dict[str, str]]) -> Api:
    return Api(stack_url, auth_header)


def waiting_draft(api: Api) -> dict[str, Any]:
    answers = {"subject": "self", "copies": 1, "purpose": "bank", "delivery": "pickup"}
    draft = api.ok("POST", "/applications", "resident-1", {"procedure": "juminhyo", "answers": answers})
    api.upload(draft["id"], "resident-1", jpeg_with_location(), kind="identity_document")
    return draft


@pytest.mark.parametrize(
    "return_url",
    [
        "http://{host}@evil.example/apply/",
        "{site}.evil.example/apply/",
        "https://evil.example/?{site}",
        "//evil.example/apply/",
        "{site}\\@evil.example/",
        "javascript:alert(1)//{host}",
    ],
)
def test_a_return_url_off_the_site_is_refused_and_changes_nothing(api: Api, local_stack: Any, return_url: str):
    draft = waiting_draft(api)
    host = api.url.split("://", 1)[1]
    forged = return_url.format(site=api.url, host=host)
    refused = api.call("POST", f"/applications/{draft['id']}/submit", "resident-1", {"return_url": forged})
    assert refused.status_code == 422, refused.text
    assert refused.json()["detail"][0]["loc"] == ["body", "return_url"]
    after = api.ok("GET", f"/applications/{draft['id']}", "resident-1")
    assert after["status"] == "draft" and after["payment_url"] is None
    sessions = [s for s in local_stack.stripe.sessions.values() if s["metadata"]["reference"].endswith(draft["id"])]
    assert sessions == []


def test_forged_headers_change_no_link_in_checkouts_or_e_mails(api: Api, local_stack: Any):
    site = local_stack.url
    draft = waiting_draft(api)
    waiting = api.ok(
        "POST", f"/applications/{draft['id']}/submit", "resident-1", {"return_url": f"{site}/apply/?lang=ja"}, **FORGED
    )
    assert waiting["status"] == "awaiting_payment"
    [session] = [s for s in local_stack.stripe.sessions.values() if s["metadata"]["reference"].endswith(draft["id"])]
    assert session["success_url"] == f"{site}/apply/?lang=ja&id={draft['id']}&paid=1"
    assert session["cancel_url"] == f"{site}/apply/?lang=ja&id={draft['id']}"
    assert local_stack.stripe.pay(session["id"], "4242424242424242")[0]
    api.ok("POST", f"/applications/{draft['id']}/payment", "resident-1", **FORGED)
    local_stack.streams.drain()  # the outbox worker sends the e-mails the changes owed
    outbox = requests.get(f"{site}/_local/outbox", params={"to": "ichiro@example.jp"}, timeout=10).json()
    mails = [m for m in outbox["messages"] if draft["code"] in m["subject"]]
    assert mails
    for mail in mails:
        links = [line for line in mail["body"].splitlines() if "://" in line]
        [link] = links
        assert link.startswith(f"{site}/apply/?id={draft['id']}&lang="), mail["body"]
        assert link.rsplit("=", 1)[1] in ("ja", "ja-easy", "en", "pt", "vi", "zh")

"""Queue pages in Chromium: the resident's ticket page and its one-tap LINE opt-in (sign in, link LINE, opt in), the
display board, live congestion, the month calendar without JavaScript, the staff calling console. axe-core finds
nothing on any of them."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
import requests
from playwright.sync_api import Browser, Page, expect

from infra.local.line import LINE_USERS

pytestmark = pytest.mark.browser


def issue(stack_url: str, auth_header: Callable[[str], dict[str, str]], counter: str, service: str) -> dict[str, Any]:
    response = requests.post(
        f"{stack_url}/queues/{counter}/tickets", json={"service": service}, headers=auth_header("ticket-1"), timeout=30
    )
    response.raise_for_status()
    return dict(response.json())


def test_resident_follows_the_ticket_and_opts_in_to_line_with_one_tap(
    page: Page, stack_url: str, auth_header, local_stack, axe_violations, console_errors
):
    requests.delete(f"{stack_url}/me/line", headers=auth_header("resident-1"), timeout=10)
    ticket = issue(stack_url, auth_header, "zei", "shinkoku")
    ticket_page = re.compile(re.escape(f"/ticket/?id={ticket['id']}"))
    page.goto(f"{stack_url}/ticket/?id={ticket['id']}&lang=en")
    expect(page.locator(".ticket-number")).to_have_text(str(ticket["number"]))
    expect(page.get_by_text(re.compile(r"\d+ ahead of you"))).to_be_visible()
    notify_on_line = page.get_by_role("button", name="Notify me on LINE")
    # Signed out: the one button signs the resident in and comes back to the ticket
    expect(page.get_by_text("Sign in first; notices go only to the LINE account you linked.")).to_be_visible()
    assert axe_violations() == "", "axe violations (en, signed out)"
    notify_on_line.click()
    page.wait_for_url(re.compile(r"/oauth2/authorize\?"))
    page.locator("#user-resident-1").check()
    page.locator("form button[type=submit]").click()
    page.wait_for_url(ticket_page)
    # Not linked: the same words lead to the LINE page, which returns here once LINE Login has linked the account
    expect(page.get_by_text("Link your LINE account first; you will come back to this page.")).to_be_visible()
    assert axe_violations() == "", "axe violations (en, not linked)"
    page.get_by_role("link", name="Notify me on LINE").click()
    page.get_by_role("button", name="Link with LINE").click()
    page.wait_for_url(re.compile(r"/oauth2/v2\.1/authorize\?"))
    page.locator("#line-line-user-2").check()
    page.get_by_role("button", name=re.compile("^(Allow|許可する)$")).click()
    page.wait_for_url(ticket_page)
    try:
        # Linked (shown in Japanese too): one tap opts the ticket in; no LINE id is typed or shown anywhere
        page.goto(f"{stack_url}/ticket/?id={ticket['id']}&lang=ja")
        expect(page.get_by_text("通知は連携した LINE アカウントに届きます。")).to_be_visible()
        assert axe_violations() == "", "axe violations (ja, linked)"
        page.goto(f"{stack_url}/ticket/?id={ticket['id']}&lang=en")
        expect(page.get_by_text("Notices go to the LINE account you linked.")).to_be_visible()
        assert page.locator("input[type=text]").count() == 0
        start = len(local_stack.line.sent)
        notify_on_line.click()
        # (a busy machine can take a while)
        expect(page.get_by_text("Notices set (LINE: on, browser: off)")).to_be_visible(timeout=30000)
        assert axe_violations() == "", "axe violations (en, opted in)"
        # When the ticket is called, the push goes to the LINE account the resident linked
        for _ in range(400):  # earlier tests may have left tickets at the counter
            called = requests.post(
                f"{stack_url}/queues/zei/call-next", json={"desk": "7"}, headers=auth_header("staff-zei"), timeout=30
            ).json()["ticket"]
            if called is None or called["id"] == ticket["id"]:
                break
        assert called and called["id"] == ticket["id"]
        local_stack.streams.drain()  # the notices go from the outbox worker
        to = {m.get("to") for m in local_stack.line.sent[start:]}
        assert to == {LINE_USERS["line-user-2"]}, to
        assert console_errors == []
    finally:
        requests.delete(f"{stack_url}/me/line", headers=auth_header("resident-1"), timeout=10)


def test_display_board_shows_a_called_number_with_its_desk(page: Page, stack_url: str, auth_header, axe_violations):
    page.goto(f"{stack_url}/display/?lang=en")
    ticket = issue(stack_url, auth_header, "kodomo", "iryohi")
    # call until this ticket is called (earlier tests may have left tickets at the counter)
    for _ in range(400):
        called = requests.post(
            f"{stack_url}/queues/kodomo/call-next", json={"desk": "9"}, headers=auth_header("staff-kodomo"), timeout=30
        ).json()["ticket"]
        if called is None or called["id"] == ticket["id"]:
            break
    board = page.locator(".calling-grid")
    expect(board).to_contain_text(str(ticket["number"]), timeout=15000)
    expect(board).to_contain_text("Desk 9")
    box = page.locator(".calling-numbers .n").first.bounding_box()
    assert box and box["height"] >= 60, "numbers must be readable across a room"
    assert axe_violations() == ""


def test_live_congestion_and_the_calendar_without_javascript(
    page: Page, browser: Browser, stack_url: str, axe_violations
):
    page.goto(f"{stack_url}/congestion/?lang=en")
    expect(page.get_by_role("rowheader", name="Certificates")).to_be_visible()
    assert axe_violations() == ""
    context = browser.new_context(java_script_enabled=False, locale="ja-JP")
    plain = context.new_page()
    plain.goto(f"{stack_url}/congestion/calendar.html?lang=en")
    expect(plain.get_by_role("heading", name="Congestion forecast calendar")).to_be_visible()
    expect(plain.locator("table td.open li").first).to_be_visible()
    plain.get_by_role("link", name="Next month").click()
    expect(plain.locator("table caption")).to_be_visible()
    context.close()
    page.goto(f"{stack_url}/congestion/calendar.html?lang=en")
    assert axe_violations() == ""


def test_staff_call_the_next_ticket_and_see_their_charts(
    page: Page, stack_url: str, auth_header, axe_violations, sign_in
):
    ticket = issue(stack_url, auth_header, "hoken", "kokuho")
    page.goto(f"{stack_url}/staff/queue/?lang=en")
    sign_in(page, "staff-hoken")
    expect(page.get_by_role("heading", name="Waiting and service times (last 30 days)")).to_be_visible()
    expect(page.locator("svg.chart rect").first).to_be_attached()
    for _ in range(400):
        page.get_by_role("button", name="Call next").click()
        current = page.locator(".ticket-state")
        expect(current.or_(page.get_by_text("Nobody is waiting"))).to_be_visible()
        if current.is_visible() and current.inner_text() == f"Now serving number {ticket['number']}":
            break
        if current.is_visible():
            page.get_by_role("button", name="Done").click()
            # Wait for the page to clear it: a "Call next" sent before would show the old number, and the next
            # "Done" would then complete this test's own ticket unseen.
            expect(current).to_have_count(0)
    expect(page.locator(".ticket-state")).to_have_text(f"Now serving number {ticket['number']}")
    assert axe_violations() == ""
    # Not here, then back within the grace period: the row follows, and the ticket is first in line again
    row = page.get_by_role("row").filter(has=page.get_by_role("rowheader", name=str(ticket["number"]), exact=True))
    row.get_by_role("button", name=f"Not here {ticket['number']}").click()
    expect(row).to_contain_text("Not here (grace period)")
    row.get_by_role("button", name=f"Came back (back in line) {ticket['number']}").click()
    expect(row).to_contain_text("Waiting")
    page.get_by_role("button", name="Call next").click()
    expect(page.locator(".ticket-state")).to_have_text(f"Now serving number {ticket['number']}")
    page.get_by_role("button", name="Done").click()
    expect(page.locator(".ticket-state")).to_have_count(0)
    done = requests.get(f"{stack_url}/tickets/{ticket['id']}", timeout=10).json()
    assert done["state"] == "done"


def test_ticket_machine_prints_a_ticket_whose_qr_leads_to_its_status(
    page: Page, stack_url: str, axe_violations, enrolment_link
):
    page.goto(enrolment_link("ticket_machine").replace("/ticket-machine/", "/ticket-machine/?lang=en"))
    page.get_by_role("button", name="Take a ticket for Residence certificate").click()
    receipt = page.get_by_role("region", name="Certificates")
    expect(receipt.locator(".ticket-number")).to_have_text(re.compile(r"^\d+$"))
    expect(receipt.locator(".qr svg")).to_be_visible()
    assert axe_violations() == ""
    number = receipt.locator(".ticket-number").inner_text()
    page.get_by_role("button", name="Next person").click()
    expect(page.get_by_role("button", name="Take a ticket for Residence certificate")).to_be_visible()
    # The printed address (the QR code's content) opens this ticket's status page
    page.get_by_role("button", name="Take a ticket for Residence certificate").click()
    second = page.locator(".ticket-number").inner_text()
    assert int(second) > int(number)
    # It is text, not a link the public could tap to take the machine away from its page
    expect(page.locator(".receipt__url a")).to_have_count(0)
    address = page.locator(".receipt__url").inner_text()
    # A resident's own phone (another browser, in Japanese): the machine's language choice is not theirs
    phone = page.context.browser.new_context(locale="ja-JP").new_page()  # type: ignore[union-attr]
    phone.goto(address)
    expect(phone.locator(".ticket-number")).to_have_text(second)
    expect(phone.get_by_role("heading", name="整理券の状況")).to_be_visible()
    phone.context.close()

"""Issue 16, the staff side, in Chromium: one staff workspace (navigation to every staff page, one sign-in,
department names in words, no raw codes, keyboard access keys listed), the landing page's inbox equal to the
department's waiting work and its real queue state, fault 1 (a called ticket completed after a reload) and fault 9
(missing item received is not "approved"; the application detail separates rejected uploads and shows payment and
the audit trail). In English and Japanese; axe-core finds nothing on any staff page."""

from __future__ import annotations

import io
import re
import time
from collections.abc import Callable
from typing import Any

import pytest
import requests
from PIL import Image
from playwright.sync_api import Page, expect

from tests.browser.test_web_cases import SUBJECT
from tests.integration.test_applications_flow import Api, jpeg_with_location
from tests.integration.test_staff_inbox import listed

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("applications")]

STAFF_PAGES = [
    ("inbox", "/staff/"),
    ("queue", "/staff/queue/"),
    ("applications", "/staff/applications/"),
    ("certificates", "/staff/certificates/"),
    ("facilities", "/staff/facilities/"),
    ("faq", "/staff/faq/"),
    ("guide", "/staff/guide/"),
    ("dashboard", "/staff/dashboard/"),
]

TEXT = {
    "en": {
        "nav": "Staff workspace",
        "department": "Department: Citizens Division",
        "links": [
            "Inbox",
            "Queue calling",
            "Cases",
            "Applications",
            "Certificates",
            "Facilities",
            "FAQ",
            "Intake navigation",
            "Dashboard",
            "Devices",
        ],
        "shortcuts": "Keyboard shortcuts",
        "serving": "Now serving number {n}",
    },
    "ja": {
        "nav": "職員ワークスペース",
        "department": "所属：市民課",
        "links": [
            "受付箱",
            "呼び出し",
            "ワンストップ案件",
            "申請",
            "証明書の確認・取消",
            "施設予約",
            "よくある質問",
            "手続き案内",
            "実績ダッシュボード",
            "端末",
        ],
        "shortcuts": "キーボード操作",
        "serving": "{n}",
    },
}

# Codes that must never reach a clerk's screen (department ids, role ids, FAQ entry ids).
RAW_CODES = re.compile(r"\b(shimin|hoken|onestop|nenkin-where|staff-shimin)\b")


@pytest.fixture
def api(stack_url: str, auth_header: Callable[[str], dict[str, str]]) -> Api:
    return Api(stack_url, auth_header)


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_one_workspace_every_staff_page_reachable_and_returnable(
    page: Page, stack_url: str, sign_in, axe_violations, lang: str
):
    text = TEXT[lang]
    # Signed in once, on the landing page
    sign_in(page, "staff-shimin", f"/staff/?lang={lang}")
    for section, path in STAFF_PAGES:
        page.goto(f"{stack_url}{path}?lang={lang}")
        nav = page.get_by_role("navigation", name=text["nav"])
        # Every page: the same navigation, its own entry marked current, the department in words ...
        expect(nav).to_contain_text(text["department"])
        links = nav.get_by_role("link")
        expect(links).to_have_count(len(text["links"]))
        for i, name in enumerate(text["links"]):
            expect(links.nth(i)).to_contain_text(name)
        current = nav.locator("[aria-current=page]")
        expect(current).to_have_count(1)
        assert current.get_attribute("href") == path, section
        expect(nav.get_by_role("link", name=re.compile(text["links"][-1]))).to_have_attribute("href", "/staff/devices/")
        # ... the signed-in user in the header and no sign-in panel (signed in once for the workspace)
        expect(page.locator("#site-user")).to_have_text("市民課 職員（" + ("Staff" if lang == "en" else "職員") + "）")
        expect(page.locator("#signin-button")).to_have_count(0)
        # ... access keys, unique and listed on the page
        keys = [k for k in page.eval_on_selector_all("[accesskey]", "els => els.map(e => e.accessKey)") if k]
        assert len(keys) == len(set(keys)) >= len(text["links"]), section
        nav.get_by_text(text["shortcuts"]).click()
        for key in keys:
            expect(nav.locator("kbd", has_text=re.compile(f"^{key.upper()}$"))).to_have_count(1)
        page.wait_for_timeout(300)  # pages load their lists; codes must not appear in them either
        assert not RAW_CODES.search(page.locator("main").inner_text()), section
        assert axe_violations() == "", f"{section} ({lang})"
        # and the way back: the inbox entry returns to the landing page
        nav.get_by_role("link", name=re.compile(text["links"][0])).click()
        expect(page).to_have_url(re.compile(r"/staff/(\?.*)?$"))


def test_keyboard_first_focus_order_and_access_keys(page: Page, stack_url: str, sign_in):
    sign_in(page, "staff-shimin", "/staff/?lang=en")
    expect(page.locator("#inbox-total")).to_be_visible()
    # Tab from the top: skip link, then the header's language choice, then the workspace navigation in order
    page.keyboard.press("Tab")
    expect(page.locator(".skip-link")).to_be_focused()
    order = []
    for _ in range(12):
        page.keyboard.press("Tab")
        order.append(page.evaluate("document.activeElement.textContent.trim()"))
    nav_order = [name for name in order if name.split(" (")[0] in TEXT["en"]["links"]]
    assert [n.split(" (")[0] for n in nav_order] == TEXT["en"]["links"][: len(nav_order)] and len(nav_order) >= 5
    # The focused link is visibly marked (the design system's focus ring)
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline not in ("", "none")
    # Queue calling carries its access key (Q, listed on the page) and opens from the keyboard
    queue_link = page.locator("nav a[accesskey=q]")
    expect(queue_link).to_have_attribute("href", "/staff/queue/")
    queue_link.focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/staff/queue/"))
    expect(page.locator("#call-next")).to_have_attribute("accesskey", "n")


def test_the_landing_page_inbox_equals_the_departments_waiting_work(
    page: Page, stack_url: str, api: Api, local_stack: Any, sign_in, auth_header
):
    # Given a paid application waiting for 市民課 and a ticket waiting at its counter
    answers = {"subject": "self", "copies": 1, "purpose": "bank", "delivery": "pickup"}
    draft = api.ok("POST", "/applications", "resident-1", {"procedure": "juminhyo", "answers": answers})
    api.upload(draft["id"], "resident-1", jpeg_with_location(), kind="identity_document")
    waiting = api.ok("POST", f"/applications/{draft['id']}/submit", "resident-1", {})
    assert local_stack.stripe.pay(waiting["payment_url"].rstrip("/").rsplit("/", 1)[-1], "4242424242424242")[0]
    api.ok("POST", f"/applications/{draft['id']}/payment", "resident-1")
    ticket = requests.post(
        f"{stack_url}/queues/shimin_cert/tickets",
        json={"service": "juminhyo"},
        headers=auth_header("ticket-1"),
        timeout=30,
    )
    assert ticket.status_code == 200, ticket.text

    # When 市民課 staff open the landing page
    sign_in(page, "staff-shimin", "/staff/?lang=ja")

    # Then its count is the sum of what the lists show (read again if other tests moved the work meanwhile)
    for _ in range(5):
        total = page.locator("#inbox-total")
        expect(total).to_be_visible()
        shown = int(total.get_attribute("data-total") or -1)
        work = listed(api, "staff-shimin")
        if shown == sum(work.values()):
            break
        page.reload()
    assert shown == sum(work.values()) and shown >= 1
    assert int(page.locator("#inbox-received").get_attribute("data-count") or -1) == work["applications_received"]
    asked = int(page.locator("#inbox-case-verifications").get_attribute("data-count") or -1)
    assert asked == work["case_verifications"]
    expect(page.get_by_role("region", name="案件の確認依頼（回答待ち）")).to_be_visible()
    expect(page.locator("#staff-nav-total")).to_contain_text(f"{shown}件")
    # and the received link opens the applications list at that status
    page.locator("#inbox-received").click()
    expect(page.locator("#inbox-status")).to_have_value("received")
    page.go_back()
    # The queue panel shows the counter's real state, not "coming soon"
    queue = page.get_by_role("region", name="番号札の呼び出し")
    expect(queue.locator("#queue-state-shimin_cert")).to_contain_text(re.compile(r"待ち [1-9]\d*人"))
    expect(page.get_by_text("coming soon")).to_have_count(0)


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_a_called_ticket_is_completed_after_the_clerk_reloads(
    page: Page, stack_url: str, auth_header, sign_in, axe_violations, lang: str
):
    # Given a ticket at the tax counter
    response = requests.post(
        f"{stack_url}/queues/zei/tickets", json={"service": "shinkoku"}, headers=auth_header("ticket-1"), timeout=30
    )
    response.raise_for_status()
    ticket = response.json()
    number = ticket["number"]
    # When the clerk calls until it is this ticket (earlier tests may have left others, served here) ...
    sign_in(page, "staff-zei", f"/staff/queue/?lang={lang}")
    current = page.locator("#current-ticket")
    for _ in range(400):
        page.locator("#call-next").click()
        # wait for the answer: a called ticket, or the "nobody is waiting" status
        expect(current.or_(page.locator("p[role=status]:not(:empty)"))).to_be_visible(timeout=15000)
        if current.count() and current.get_attribute("data-ticket") == ticket["id"]:
            break
        if current.count():
            page.locator("#complete-current").click()
            expect(current).to_have_count(0)
    expect(current).to_have_attribute("data-ticket", ticket["id"])
    # ... and reloads the page: the server's state brings the controls back
    page.reload()
    expect(current).to_have_attribute("data-ticket", ticket["id"], timeout=10000)
    expect(current.locator(".ticket-state")).to_contain_text(TEXT[lang]["serving"].format(n=number))
    assert axe_violations() == ""
    page.locator("#complete-current").click()
    expect(current).to_have_count(0)
    # Then it is done: the resident's status page and the display board no longer show it calling
    status = requests.get(f"{stack_url}/tickets/{ticket['id']}", timeout=10).json()
    assert status["state"] == "done"
    board = requests.get(f"{stack_url}/queues/zei/status", timeout=10).json()
    assert number not in [c["number"] for c in board["calling"]]
    page.goto(f"{stack_url}/display/?lang={lang}")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    page.wait_for_timeout(1000)  # the board's first poll
    assert not page.locator(".calling-grid").get_by_text(str(number), exact=True).count()


def test_the_application_detail_separates_rejected_uploads_and_shows_payment_and_audit(
    page: Page, stack_url: str, api: Api, local_stack: Any, sign_in, axe_violations
):
    # Given a paid application whose first photo was rejected (a PNG declared as JPEG) and the second accepted
    answers = {"subject": "self", "copies": 1, "purpose": "bank", "delivery": "pickup"}
    draft = api.ok("POST", "/applications", "resident-1", {"procedure": "juminhyo", "answers": answers})
    png = io.BytesIO()
    Image.new("RGB", (8, 8)).save(png, "PNG")
    api.upload(draft["id"], "resident-1", png.getvalue(), kind="identity_document")
    api.upload(draft["id"], "resident-1", jpeg_with_location(), kind="identity_document")
    waiting = api.ok("POST", f"/applications/{draft['id']}/submit", "resident-1", {})
    assert local_stack.stripe.pay(waiting["payment_url"].rstrip("/").rsplit("/", 1)[-1], "4242424242424242")[0]
    api.ok("POST", f"/applications/{draft['id']}/payment", "resident-1")

    for lang, words in (
        (
            "en",
            {
                "open": "Open",
                "rejected": "Rejected uploads (1, not used)",
                "why": "not of the type it claimed",
                "paid": "Paid:",
                "audit": "Audit trail",
                "submitted": "Submitted",
                "payment": "Paid",
            },
        ),
        (
            "ja",
            {
                "open": "開く",
                "rejected": "受け付けなかったアップロード（1件・使いません）",
                "why": "申告された種類と違います",
                "paid": "支払い済み：",
                "audit": "操作の記録",
                "submitted": "申請",
                "payment": "支払い",
            },
        ),
    ):
        # When the clerk opens it by its reference number
        if lang == "en":
            sign_in(page, "staff-shimin", f"/staff/applications/?lang={lang}")
        else:
            page.goto(f"{stack_url}/staff/applications/?lang={lang}")
        page.locator("#bycode-input").fill(draft["code"])
        page.locator("#bycode-input").press("Enter")
        expect(page.locator("#detail-heading")).to_be_focused()
        # Then the accepted photo is the one in use; the rejected one stands apart with its reason in words
        expect(page.locator("#attachments-in-use li")).to_have_count(1)
        rejected = page.locator("#attachments-rejected")
        expect(rejected).to_contain_text(words["rejected"])
        rejected.locator("summary").click()
        expect(rejected).to_contain_text(words["why"])
        assert "file_type_mismatch" not in page.locator("main").inner_text()
        # and the payment and the audit trail are shown
        expect(page.locator("#payment-status")).to_contain_text(words["paid"])
        page.locator("#audit-heading").click()
        audit = page.locator("#audit-table")
        expect(audit).to_contain_text(words["submitted"])
        expect(audit).to_contain_text(words["payment"])
        assert axe_violations() == ""


def test_a_missing_item_received_is_not_called_approved(
    page: Page, stack_url: str, token_for: Callable[[str], str], sign_in
):
    # Given a bereavement case whose insurance step was returned to the resident
    staff = {"Authorization": "Bearer " + token_for("staff-onestop")}
    response = requests.post(
        stack_url + "/cases?lang=en",
        json={
            "event": "bereavement",
            "subject": SUBJECT,
            "answers": {"had_kokuho": True},
            "identity": {"method": "my_number_card"},
        },
        headers=staff,
        timeout=10,
    )
    response.raise_for_status()
    case_id = response.json()["id"]
    hoken = {"Authorization": "Bearer " + token_for("staff-hoken")}

    def hoken_task(kind: str) -> str:
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            tasks = requests.get(f"{stack_url}/staff/tasks", headers=hoken, timeout=10).json()["tasks"]
            found = [t for t in tasks if t.get("case_id") == case_id and t.get("kind", "review") == kind]
            if found:
                return str(found[0]["id"])
            time.sleep(0.3)
        raise AssertionError(f"no {kind} task for {case_id}")

    returned = requests.post(
        f"{stack_url}/staff/tasks/{hoken_task('review')}/return",
        json={"reason": "Bring the insurance card"},
        headers=hoken,
        timeout=10,
    )
    returned.raise_for_status()
    hoken_task("awaiting_resident")

    # When the clerk records that the missing item arrived
    sign_in(page, "staff-hoken", f"/staff/?lang=en&case={case_id}")
    button = page.get_by_role("button", name="Missing item received")
    expect(button).to_be_visible(timeout=15000)
    button.click()

    # Then the notice says it is back in review, not approved
    expect(page.locator("#case-status")).to_contain_text("Missing item received. The step is back in review.")
    expect(page.get_by_text("Step approved.")).to_have_count(0)

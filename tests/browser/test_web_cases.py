"""One-stop life-event case in the staff console (docs/cases.md).

A one-stop clerk opens a bereavement case; each department involved opens it from its inbox and approves its step;
the workflow then closes the case. A resident's pre-registration starts once the one-stop clerk records identity.
The case page prints a summary for the resident.
"""

import re
import time
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from urllib.parse import parse_qs, urlparse
from zoneinfo import ZoneInfo

import pytest
import requests
from playwright.sync_api import Locator, Page, Route, expect

pytestmark = pytest.mark.browser

ANSWERED_YES = {"had_kokuho", "owned_property", "was_taxpayer"}
DEPARTMENT_STAFF = ["staff-hoken", "staff-zei", "staff-shisan"]
WAIT_S = 15
DIED_ON = (datetime.now(ZoneInfo("Asia/Tokyo")).date() - timedelta(days=3)).isoformat()
SUBJECT = {
    "person_name": "四日市 一郎",
    "event_date": DIED_ON,
    "applicant_name": "四日市 花子",
    "relationship": "child",
    "phone": "059-354-0000",
}


def fill_subject(form: Locator) -> None:
    form.get_by_label("Name of the person who died").fill("Yokkaichi Ichiro")
    form.get_by_label("Date of death").fill(DIED_ON)
    form.get_by_label("Your name (the person filing)").fill("Yokkaichi Hanako")
    form.get_by_label("Your relationship to the person").select_option("child")
    form.get_by_label("Daytime phone number").fill("059-354-0000")


def answer_questions(form: Locator) -> None:
    """Yes to the answers in ANSWERED_YES, no to every other question ("no" or else the first of a choice)."""
    questions = form.locator("[data-question]")
    expect(questions.first).to_be_visible()
    for question in questions.all():
        qid = question.get_attribute("data-question")
        if question.evaluate("element => element.tagName") == "FIELDSET":
            question.get_by_label("Yes" if qid in ANSWERED_YES else "No", exact=True).check()
        else:
            select = question.get_by_role("combobox")
            if select.locator("option[value='no']").count():
                select.select_option("no")
            else:
                select.select_option(index=1)


def open_from_inbox(page: Page, case_id: str) -> None:
    """The case's task reaches the inbox once the workflow has registered it: refresh until it is there."""
    inbox = page.get_by_role("region", name="Case steps waiting for your department")
    link = inbox.get_by_role("link", name=f"Open case {case_id}")
    deadline = time.monotonic() + WAIT_S
    while not link.is_visible():
        assert time.monotonic() < deadline, f"no task for case {case_id} in the inbox"
        page.wait_for_timeout(500)
        inbox.get_by_role("button", name="Refresh").click()
    link.click()
    expect(page).to_have_url(re.compile(rf"[?&]case={re.escape(case_id)}"))
    expect(page.get_by_role("heading", level=2, name=re.compile(r"^Case: "))).to_be_focused()


def open_case_page(page: Page, stack_url: str, case_id: str) -> None:
    """The console at ?case=<id> (a signed-in session is kept for the tab)."""
    page.goto(f"{stack_url}/staff/?lang=en&case={case_id}")
    expect(page.get_by_role("heading", level=2, name=re.compile(r"^Case: "))).to_be_focused()


def test_a_bereavement_case_is_opened_at_one_counter_and_closed_by_three_departments(
    page: Page,
    stack_url: str,
    axe_violations: Callable[[], str],
    sign_in,
    sign_out,
):
    # Given the one-stop clerk signed in to the staff console
    sign_in(page, "staff-onestop", "/staff/?lang=en")
    form = page.get_by_role("region", name="Open a case")
    form.get_by_label("Life event").select_option("bereavement")

    # An empty form is stopped before sending, with the problems next to their fields
    expect(form.locator("[data-question]").first).to_be_visible()
    form.get_by_role("button", name="Open case").click()
    expect(form.get_by_role("alert")).not_to_be_empty()
    expect(form.get_by_text("Choose how identity was verified.")).to_be_visible()
    expect(form.get_by_text("Answer this question.").first).to_be_visible()

    # When the clerk answers the questions with the resident, records identity and what was explained
    answer_questions(form)
    form.get_by_label("How identity was verified").select_option("my_number_card")
    form.get_by_label("Note (optional)").fill("Checked at the counter")
    form.get_by_label("Items explained").fill("Funeral expenses: claim within 2 years\nPension: at the pension office")
    fill_subject(form)
    assert axe_violations() == "", "axe violations on the open-case form"
    form.get_by_role("button", name="Open case").click()

    # Then the case page shows the case, with identity and what was explained
    expect(page).to_have_url(re.compile(r"[?&]case="))
    case_id = parse_qs(urlparse(page.url).query)["case"][0]
    expect(page.get_by_role("heading", level=2, name=re.compile(r"^Case: "))).to_be_focused()
    status = page.locator("#case-status")
    expect(status).to_contain_text("Status")
    expect(page.get_by_text("My Number card")).to_be_visible()
    expect(page.get_by_text("Funeral expenses: claim within 2 years")).to_be_visible()
    assert axe_violations() == "", "axe violations on the case page"

    # When each department involved opens the case from its inbox and approves its step
    for user in DEPARTMENT_STAFF:
        sign_out(page)
        sign_in(page, user, "/staff/?lang=en")
        open_from_inbox(page, case_id)
        # procedure navigation: what to check and what to explain for this department's procedures
        expect(page.get_by_role("heading", name="What to check").first).to_be_visible()
        expect(page.get_by_role("heading", name="What to explain").first).to_be_visible()
        if user == DEPARTMENT_STAFF[0]:
            # a return without a reason is refused before anything is sent
            page.get_by_role("button", name="Return").click()
            expect(page.get_by_text("Enter the reason for returning.")).to_be_visible()
            expect(page.get_by_label("Reason for returning")).to_be_focused()
            assert axe_violations() == "", "axe violations on the case page with a decision"
        page.get_by_role("button", name="Approve").click()
        expect(status).to_contain_text("Step approved.")
        expect(page.get_by_role("button", name="Approve")).to_have_count(0)

    # Then the workflow closes the case (asynchronously: reload until it has)
    deadline = time.monotonic() + WAIT_S
    while "Closed" not in status.inner_text():
        assert time.monotonic() < deadline, f"case {case_id} not closed: {status.inner_text()}"
        page.wait_for_timeout(500)
        page.get_by_role("button", name="Reload case").click()
    expect(status).to_contain_text("Status: Closed")


def test_a_family_pre_registers_in_vietnamese_and_the_clerk_opens_it_by_its_code_in_japanese(
    page: Page,
    stack_url: str,
    axe_violations: Callable[[], str],
    sign_in,
    sign_out,
):
    # Given a family member pre-registering a bereavement in Vietnamese, with whose case it is
    sign_in(page, "resident-1", stack_url + "/preregister/?lang=vi")
    form = page.get_by_role("region", name="Đăng ký trước")
    page.locator("#case-event").select_option("bereavement")
    expect(form.locator("[data-question]").first).to_be_visible()
    for question in form.locator("[data-question]").all():
        qid = question.get_attribute("data-question")
        if question.evaluate("element => element.tagName") == "FIELDSET":
            page.locator(f"#case-q-{qid}-{'yes' if qid == 'was_taxpayer' else 'no'}").check()
        else:
            question.get_by_role("combobox").select_option("no")
    # whose case it is is required: an empty name is stopped before sending, next to its field
    form.get_by_role("button", name="Đăng ký trước").click()
    expect(form.get_by_label("Họ tên người đã mất")).to_be_focused()
    expect(form.get_by_text("Vui lòng nhập mục này.").first).to_be_visible()
    form.get_by_label("Họ tên người đã mất").fill("Nguyễn Văn An")
    form.get_by_label("Ngày mất").fill(DIED_ON)
    form.get_by_label("Họ tên người khai báo").fill("Nguyễn Thị Bình")
    form.get_by_label("Quan hệ của bạn với người đó").select_option("child")
    form.get_by_label("Số điện thoại liên lạc ban ngày").fill("059-354-0000")
    assert axe_violations() == "", "axe violations on the pre-registration form (vi)"
    form.get_by_role("button", name="Đăng ký trước").click()

    # Then the result gives a short case number and its QR code to show at the counter
    expect(page).to_have_url(re.compile(r"[?&]case="))
    code = page.locator("#case-number").inner_text()
    assert re.fullmatch(r"[0-9A-Z]{8}", code), code
    expect(page.get_by_role("img", name=f"Mã QR của hồ sơ số {code}")).to_be_visible()
    expect(page.get_by_text("Nguyễn Văn An")).to_be_visible()
    assert axe_violations() == "", "axe violations on the pre-registration result (vi)"

    # When the one-stop clerk, in Japanese, opens it by the number (a QR scanner types it like a keyboard)
    sign_out(page)
    sign_in(page, "staff-onestop", "/staff/?lang=ja")
    finder = page.get_by_role("region", name="受付番号で案件を開く")
    finder.get_by_label("受付番号（8文字）").fill("ZZZZ9999")
    finder.get_by_role("button", name="開く", exact=True).click()
    expect(finder.get_by_role("alert")).to_have_text("この受付番号の案件はありません。番号を確かめてください。")
    finder.get_by_label("受付番号（8文字）").fill(f"MADOGUCHI-CASE:{code.lower()}")
    finder.get_by_role("button", name="開く", exact=True).click()

    # Then the case shows whose it is, waiting for identity
    expect(page.get_by_role("heading", level=2, name=re.compile(r"^案件: "))).to_be_focused()
    expect(page.get_by_text("Nguyễn Văn An")).to_be_visible()
    expect(page.get_by_text("Nguyễn Thị Bình (子)")).to_be_visible()
    assert axe_violations() == "", "axe violations on the case page (ja)"
    form = page.get_by_role("form", name="本人確認の記録")
    form.get_by_label("確認書類").select_option("residence_card")
    form.get_by_role("button", name="本人確認を記録して受け付ける").click()
    expect(page.locator("#case-status")).to_contain_text("処理中")

    # And the tax department's inbox tells the case apart by the person's name
    case_id = parse_qs(urlparse(page.url).query)["case"][0]
    sign_out(page)
    sign_in(page, "staff-zei", "/staff/?lang=en")
    open_from_inbox(page, case_id)
    page.go_back()
    row = page.get_by_role("row", name=re.compile("Nguyễn Văn An"))
    expect(row).to_be_visible()


def test_the_case_page_prints_a_summary_for_the_resident(
    page: Page, stack_url: str, token_for: Callable[[str], str], sign_in
):
    # Given a case opened at the counter, with a message between departments
    staff = {"Authorization": "Bearer " + token_for("staff-onestop")}
    response = requests.post(
        stack_url + "/cases?lang=en",
        json={
            "event": "bereavement",
            "subject": SUBJECT,
            "answers": {"had_kokuho": True, "was_taxpayer": True},
            "identity": {"method": "my_number_card", "note": "Internal note"},
            "explained": ["Pension: at the pension office"],
        },
        headers=staff,
        timeout=10,
    )
    response.raise_for_status()
    case = response.json()
    departments = [step["department_name"] for step in case["steps"]]
    procedures = [p["name"] for step in case["steps"] for p in step["procedures"]]
    remaining = [r["name"] for r in case["remaining"]]
    assert departments and procedures and remaining
    message = requests.post(
        f"{stack_url}/cases/{case['id']}/thread",
        json={"to_department": "zei", "text": "Please check the tax records"},
        headers=staff,
        timeout=10,
    )
    message.raise_for_status()

    sign_in(page, "staff-onestop", "/staff/?lang=en")
    open_case_page(page, stack_url, case["id"])
    print_title = page.get_by_text(re.compile(r"— Summary for the resident$"))
    expect(print_title).to_be_hidden()
    # What only staff see on screen: the site's banner, sign-in, thread, verifications, timeline, forms, buttons
    staff_only = [
        page.get_by_role("banner"),
        page.get_by_role("button", name="Sign out"),
        page.get_by_text("Please check the tax records"),
        page.get_by_role("heading", name="Messages between departments"),
        page.get_by_role("heading", name="Internal verifications"),
        page.get_by_role("heading", name="Timeline"),
        page.get_by_role("button", name="Send message"),
        page.get_by_label("Question", exact=True),
        page.get_by_text("Internal note"),
        page.get_by_role("link", name="Back to the console"),
    ]
    for element in staff_only:
        expect(element).to_be_visible()

    # The button prints the page
    page.evaluate("() => { window.printed = 0; window.print = () => { window.printed += 1; }; }")
    page.get_by_role("button", name="Print summary for the resident").click()
    assert page.evaluate("window.printed") == 1

    # When printed, the summary shows what was done and what remains
    page.emulate_media(media="print")
    expect(print_title).to_be_visible()
    expect(page.get_by_role("heading", level=2, name=re.compile(r"^Case: "))).to_be_visible()
    expect(page.get_by_text(case["code"], exact=True)).to_be_visible()
    expect(page.get_by_text("四日市 一郎", exact=True)).to_be_visible()
    expect(page.get_by_text("My Number card", exact=True)).to_be_visible()
    expect(page.get_by_text("Pension: at the pension office")).to_be_visible()
    steps = page.get_by_role("list", name="Department steps")
    for name in departments:
        expect(steps.get_by_role("heading", name=name)).to_be_visible()
    for name in procedures:
        expect(steps).to_contain_text(name)
    # in the resident's words, not the staff workflow's
    expect(steps.get_by_text("In progress").first).to_be_visible()
    for staff_word in ("Waiting for review", "Overdue (lead notified)"):
        expect(steps.get_by_text(staff_word, exact=True).first).to_be_hidden()
    expect(page.get_by_role("navigation", name="Staff workspace")).to_be_hidden()
    assert page.evaluate("[...document.querySelectorAll('a')].filter(a => a.offsetParent !== null).length") == 0
    remaining_list = page.get_by_role("list", name="What the resident must do elsewhere")
    expect(remaining_list).to_be_visible()
    for name in remaining:
        expect(remaining_list).to_contain_text(name)
    # and nothing meant for staff only
    for element in staff_only:
        expect(element).to_be_hidden()
    expect(page.get_by_role("button", name="Print summary for the resident")).to_be_hidden()


def test_a_case_whose_workflow_is_still_starting_says_so_until_the_worker_has_started_it(
    page: Page, stack_url: str, local_stack, token_for: Callable[[str], str], sign_in, axe_violations
):
    # Given a case opened at the counter while the outbox worker has not run yet (its stream held back)
    staff = {"Authorization": "Bearer " + token_for("staff-onestop")}
    body = {"event": "bereavement", "subject": SUBJECT, "answers": {"owned_property": True}}
    body["identity"] = {"method": "my_number_card"}
    sign_in(page, "staff-onestop", "/staff/?lang=en")
    notice = page.get_by_role("status").get_by_text(re.compile(r"^The departments' workflow is starting\."))
    with local_stack.streams.held():
        response = requests.post(stack_url + "/cases?lang=en", json=body, headers=staff, timeout=10)
        response.raise_for_status()
        case_id = response.json()["id"]
        # Then its page says the workflow is starting, in the status region, and passes axe
        open_case_page(page, stack_url, case_id)
        expect(notice).to_be_visible()
        assert axe_violations() == ""
    # And once the worker has started it, reloading shows it no more, and the timeline says when it started
    local_stack.streams.drain()
    page.get_by_role("button", name="Reload case").click()
    expect(notice).to_be_hidden()
    expect(page.get_by_text(re.compile(r"Workflow started"))).to_be_visible()


def test_a_message_whose_answer_was_lost_is_sent_again_with_its_key_and_filed_once(
    page: Page, stack_url: str, token_for: Callable[[str], str], sign_in, console_errors: list[str]
):
    # Given a case opened at the counter, on the clerk's case page
    staff = {"Authorization": "Bearer " + token_for("staff-onestop")}
    body = {"event": "bereavement", "subject": SUBJECT, "answers": {"had_kokuho": True}}
    body["identity"] = {"method": "my_number_card"}
    response = requests.post(stack_url + "/cases?lang=en", json=body, headers=staff, timeout=10)
    response.raise_for_status()
    case_id = response.json()["id"]
    sign_in(page, "staff-onestop", "/staff/?lang=en")
    open_case_page(page, stack_url, case_id)

    # And a network that loses answers: the request reaches the server, its answer never reaches the page
    keys: list[str | None] = []
    lost = {"answers": 1}

    def lose_answers(route: Route) -> None:
        if route.request.method != "POST":
            route.continue_()
            return
        keys.append(route.request.headers.get("idempotency-key"))
        if lost["answers"] > 0:
            lost["answers"] -= 1
            assert route.fetch().ok  # the server answers; the page never sees it
            route.abort("connectionreset")
        else:
            route.continue_()

    page.route(re.compile(r"/cases/[^/?]+/thread(\?|$)"), lose_answers)
    thread = page.locator("ol.messages")
    status = page.locator("#case-status")

    def send(text: str) -> None:
        page.get_by_label("To department").select_option("zei")
        page.get_by_label("Message", exact=True).fill(text)
        page.get_by_role("button", name="Send message").click()

    def filed(text: str) -> int:
        case = requests.get(f"{stack_url}/cases/{case_id}?lang=en", headers=staff, timeout=10).json()
        return [m["text"] for m in case["thread"]].count(text)

    # When the clerk sends a message
    first = f"Please check the tax records ({uuid.uuid4().hex[:8]})"
    send(first)

    # Then the page sends it again by itself with the same key, and the thread shows it once
    expect(status).to_contain_text("Message sent.")
    expect(thread.get_by_text(first, exact=True)).to_have_count(1)
    assert len(keys) == 2 and keys[0] and keys[0] == keys[1], keys
    assert filed(first) == 1

    # When the next message's answer and the page's own retry are both lost
    lost["answers"] = 2
    second = f"And the property tax ({uuid.uuid4().hex[:8]})"
    send(second)
    expect(page.get_by_role("alert")).to_contain_text("Could not connect.")
    assert len(keys) == 4 and keys[2] != keys[0] and keys[2] == keys[3], keys
    # and the clerk presses Send again: the same key, so the message filed by the lost request is not filed twice
    expect(page.get_by_label("Message", exact=True)).to_have_value(second)
    page.get_by_role("button", name="Send message").click()
    expect(status).to_contain_text("Message sent.")
    expect(thread.get_by_text(second, exact=True)).to_have_count(1)
    assert len(keys) == 5 and keys[4] == keys[2], keys
    assert filed(second) == 1
    assert [e for e in console_errors if "net::ERR_" not in e] == []

"""One-stop life-event case in the staff console (docs/cases.md).

A one-stop clerk opens a bereavement case; each department involved opens it from its inbox and approves its step;
the workflow then closes the case.
"""

import re
import time
from collections.abc import Callable
from urllib.parse import parse_qs, urlparse

import pytest
from playwright.sync_api import Locator, Page, expect

pytestmark = pytest.mark.browser

ANSWERED_YES = {"had_kokuho", "owned_property", "was_taxpayer"}
DEPARTMENT_STAFF = ["staff-hoken", "staff-zei", "staff-shisan"]
WAIT_S = 15


def sign_in(page: Page, stack_url: str, user: str) -> None:
    page.goto(stack_url + "/staff/?lang=en")
    page.get_by_label("User").select_option(user)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text(f"Signed in as {user}")).to_be_visible()


def sign_out(page: Page) -> None:
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()


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
    inbox = page.get_by_role("region", name="Inbox")
    link = inbox.get_by_role("link", name=f"Open case {case_id}")
    deadline = time.monotonic() + WAIT_S
    while not link.is_visible():
        assert time.monotonic() < deadline, f"no task for case {case_id} in the inbox"
        page.wait_for_timeout(500)
        inbox.get_by_role("button", name="Refresh").click()
    link.click()
    expect(page).to_have_url(re.compile(rf"[?&]case={re.escape(case_id)}"))
    expect(page.get_by_role("heading", level=2, name=re.compile(r"^Case: "))).to_be_focused()


def test_a_bereavement_case_is_opened_at_one_counter_and_closed_by_three_departments(
    page: Page, stack_url: str, axe_violations: Callable[[], str]
):
    # Given the one-stop clerk signed in to the staff console
    sign_in(page, stack_url, "staff-onestop")
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
        sign_in(page, stack_url, user)
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

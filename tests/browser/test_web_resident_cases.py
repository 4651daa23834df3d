"""A resident pre-registers a life event online (おくやみ・転入の事前登録, docs/cases.md).

The resident signs in, answers the event's questions and gets a case number to bring to the one-stop counter,
with the departments and procedures that apply; the case link shows it again, to that resident only.
"""

import re
from collections.abc import Callable
from datetime import datetime, timedelta
from urllib.parse import parse_qs, urlparse
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Locator, Page, expect

pytestmark = pytest.mark.browser

CASE_HEADING = re.compile(r"^Your pre-registration: ")


def answer_questions(form: Locator, yes: set[str]) -> None:
    """Yes to the questions in `yes`, "no" to every other question (a yes/no group or a choice)."""
    questions = form.locator("[data-question]")
    expect(questions.first).to_be_visible()
    for question in questions.all():
        qid = question.get_attribute("data-question")
        if question.evaluate("element => element.tagName") == "FIELDSET":
            question.get_by_label("Yes" if qid in yes else "No", exact=True).check()
        else:
            question.get_by_role("combobox").select_option("no")


def pre_register_bereavement(
    page: Page, stack_url: str, axe_violations: Callable[[], str], sign_in: Callable[..., None]
) -> str:
    """resident-1 pre-registers a bereavement (the deceased paid resident tax); returns the case number."""
    sign_in(page, "resident-1", stack_url + "/preregister/?lang=en")
    # residents only are offered by the sign-in panel of the resident page
    form = page.get_by_role("region", name="Pre-registration")
    expect(form.get_by_role("heading", name="Pre-registration")).to_be_focused()
    form.get_by_label("Life event").select_option("bereavement")

    # An empty form is stopped before sending, with the problem next to each question
    expect(form.locator("[data-question]").first).to_be_visible()
    form.get_by_role("button", name="Pre-register").click()
    expect(form.get_by_role("alert")).to_contain_text("Some fields need attention.")
    expect(form.get_by_text("Answer this question.").first).to_be_visible()
    expect(form.locator("input[type=radio]").first).to_be_focused()

    answer_questions(form, {"was_taxpayer"})
    expect(form.get_by_label("Was the deceased the head of the household?")).to_have_value("no")
    day = (datetime.now(ZoneInfo("Asia/Tokyo")).date() - timedelta(days=3)).isoformat()
    form.get_by_label("Name of the person who died").fill("Yokkaichi Ichiro")
    form.get_by_label("Date of death").fill(day)
    form.get_by_label("Your name (the person filing)").fill("Yokkaichi Hanako")
    form.get_by_label("Your relationship to the person").select_option("child")
    form.get_by_label("Daytime phone number").fill("059-354-0000")
    assert axe_violations() == "", "axe violations on the pre-registration form"
    form.get_by_role("button", name="Pre-register").click()

    expect(page).to_have_url(re.compile(r"[?&]case="))
    return parse_qs(urlparse(page.url).query)["case"][0]


def case_number(page: Page) -> str:
    """The short number the result shows (its QR code carries the same)."""
    number = page.locator("#case-number")
    expect(number).to_have_text(re.compile(r"^[0-9A-Z]{8}$"))
    return number.inner_text()


def test_a_resident_pre_registers_a_bereavement_and_gets_a_case_number(
    page: Page, stack_url: str, axe_violations: Callable[[], str], sign_in
):
    # Given the resident page, which signs in to the residents' user pool only
    page.goto(stack_url + "/preregister/?lang=en")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/resident/oauth2/authorize"))
    users = page.locator("input[name=user]")
    expect(users.first).to_be_attached()
    assert all(value.startswith("resident-") for value in users.evaluate_all("us => us.map(u => u.value)"))

    # When resident-1 pre-registers a bereavement
    case_id = pre_register_bereavement(page, stack_url, axe_violations, sign_in)

    # Then the result shows the case number, what to bring where, and the tax step
    expect(page.get_by_role("heading", level=2, name=CASE_HEADING)).to_be_focused()
    code = case_number(page)
    expect(page.get_by_role("img", name=f"QR code of case number {code}")).to_be_visible()
    expect(page.locator("#case-counter")).to_have_text("One-Stop Counter")
    status = page.locator("#case-status")
    expect(status).to_contain_text("Status: Waiting for you at the counter")
    expect(status).to_contain_text("Your pre-registration has been received.")
    expect(page.get_by_text(re.compile(r"^Bring this case number and an identity document"))).to_contain_text(
        "one-stop counter (ワンストップ窓口)"
    )
    steps = page.get_by_role("list", name="Departments and procedures")
    expect(steps.get_by_role("heading", level=4, name="Municipal Tax Division")).to_be_visible()
    expect(steps.get_by_role("list", name="Procedures").first).not_to_be_empty()
    expect(page.get_by_role("heading", name="What remains to be done elsewhere")).to_be_visible()
    assert axe_violations() == "", "axe violations on the pre-registration result"

    # And the case link shows the same case, waiting for the resident at the counter
    page.goto(f"{stack_url}/preregister/?lang=en&case={case_id}")
    expect(page.get_by_role("heading", level=2, name=CASE_HEADING)).to_be_focused()
    expect(page.locator("#case-number")).to_have_text(code)
    expect(page.locator("#case-status")).to_contain_text("Status: Waiting for you at the counter")
    expect(page.locator("#case-status")).not_to_contain_text("has been received")
    expect(page.get_by_role("list", name="Departments and procedures")).to_contain_text("Municipal Tax Division")
    assert axe_violations() == "", "axe violations on the case link"


def test_another_resident_cannot_see_the_case(
    page: Page, stack_url: str, axe_violations: Callable[[], str], sign_in, sign_out
):
    # Given a case pre-registered by resident-1
    case_id = pre_register_bereavement(page, stack_url, axe_violations, sign_in)
    sign_out(page)
    assert page.url == f"{stack_url}/"  # signed out of the provider too, back on the top page

    # When resident-2 signs in and opens its link
    sign_in(page, "resident-2", f"{stack_url}/preregister/?lang=en&case={case_id}")

    # Then the translated refusal is in the alert region and nothing of the case is shown
    alert = page.get_by_role("region", name="Your pre-registration").get_by_role("alert")
    # (another resident's case does not exist for them: the same answer as an unknown number)
    expect(alert).to_have_text("No pre-registration has this case number. Check the link or the number.")
    expect(page.locator("#case-number")).to_have_count(0)
    assert axe_violations() == "", "axe violations on the refusal"


def test_the_page_is_translated_into_vietnamese(page: Page, stack_url: str):
    page.goto(stack_url + "/preregister/?lang=vi")
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    expect(page.get_by_role("heading", level=1)).to_have_text("Đăng ký trước: người thân qua đời hoặc chuyển đến")
    expect(page.get_by_text("Hãy đăng nhập để đăng ký trước hoặc xem hồ sơ của bạn.")).to_be_visible()


def test_the_portal_links_to_the_pre_registration(page: Page, stack_url: str):
    page.goto(stack_url + "/?lang=en")
    page.get_by_role("link", name="Pre-register a bereavement or a move (one-stop counter)").click()
    expect(page).to_have_url(re.compile(r"/preregister/\?lang=en$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Pre-register a bereavement or a move")

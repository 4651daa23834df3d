"""The FAQ in a real browser, in Vietnamese: search, chat, and a question nobody can answer."""

import uuid
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser


def test_faq_in_vietnamese_searches_and_chats_and_passes_axe(
    page: Page, stack_url: str, axe_violations: Callable[[], str], console_errors: list[str]
):
    # Given a Vietnamese-speaking resident on the FAQ page
    page.goto(f"{stack_url}/faq/?lang=vi")
    expect(page.locator("h1.page-title")).to_have_text("Câu hỏi thường gặp")
    assert axe_violations() == "", "axe violations on the empty FAQ page"

    # When they search in Vietnamese
    page.get_by_label("Tìm câu hỏi").fill("lấy phiếu cư trú ở đâu")
    page.get_by_role("button", name="Tìm", exact=True).click()

    # Then the resident-record entry answers in Vietnamese
    results = page.locator(".faq-hits")
    # (the stack's first search builds the FAQ's index: seconds on a loaded machine)
    expect(results.locator(".faq-hit").first).to_contain_text("phiếu cư trú", timeout=20_000)
    expect(results).to_contain_text("Phòng Công dân")
    assert axe_violations() == "", "axe violations on the results"

    # When they ask the chat about convenience-store hours
    page.get_by_label("Câu hỏi của bạn").fill("cửa hàng tiện lợi mấy giờ lấy giấy")
    page.get_by_role("button", name="Gửi").click()
    log = page.locator(".chat-log")
    expect(log).to_contain_text("6:30")

    # And about something the FAQ does not cover, they are given the phone number instead
    page.get_by_label("Câu hỏi của bạn").fill("thời tiết ngày mai thế nào")
    page.get_by_role("button", name="Gửi").click()
    expect(log.get_by_role("link", name="059-354-8111")).to_be_visible()
    assert axe_violations() == "", "axe violations on the chat"
    assert console_errors == []


def test_staff_review_the_unanswered_question(page: Page, stack_url: str, axe_violations: Callable[[], str], sign_in):
    page.goto(f"{stack_url}/faq/?lang=en")
    page.get_by_label("Your question").fill("Where can I buy fishing bait near the river?")
    page.get_by_role("button", name="Send").click()
    # the stack's first chat question builds the search index: slow on a loaded machine
    expect(page.locator(".chat-log")).to_contain_text("059-354-8111", timeout=20_000)

    page.goto(f"{stack_url}/staff/faq/?lang=en")
    sign_in(page, "staff-shimin")
    row = page.locator("tr", has_text="fishing bait")
    expect(row).to_be_visible()
    assert axe_violations() == "", "axe violations on the staff FAQ page"
    row.get_by_role("button", name="Mark reviewed").click()
    expect(page.locator("tr", has_text="fishing bait")).to_have_count(0)


def test_staff_create_an_entry_that_residents_then_find(
    page: Page, stack_url: str, axe_violations: Callable[[], str], sign_in
):
    entry_id = f"browser-{uuid.uuid4().hex[:8]}"
    word = f"axolotl{uuid.uuid4().hex[:4]}"
    page.goto(f"{stack_url}/staff/faq/?lang=en")
    sign_in(page, "staff-shimin")
    page.get_by_label("Entry id").fill(entry_id)
    page.get_by_role("button", name="Load").click()
    expect(page.get_by_role("status").filter(has_text=entry_id)).to_be_visible()
    for lang in ("ja", "ja-easy", "en", "pt", "vi", "zh"):
        page.locator(f"#faq-q-{lang}").fill(f"Where is the {word} tank? ({lang})")
        page.locator(f"#faq-a-{lang}").fill(f"In the lobby ({lang}).")
    assert axe_violations() == "", "axe violations on the new entry form"
    page.get_by_role("button", name="Save as a new version").click()
    expect(page.get_by_text("Saved as version 1.")).to_be_visible()

    page.goto(f"{stack_url}/faq/?lang=en&q={word}")
    # a new version rebuilds the search index on the next search: slow on a loaded machine
    expect(page.locator(".faq-hit").first).to_contain_text(f"Where is the {word} tank? (en)", timeout=20_000)

"""Resident portal: the procedure catalogue in the resident's language."""

import pytest
from playwright.sync_api import Page, expect

from infra.seed import procedures

pytestmark = pytest.mark.browser


def test_procedures_are_listed_in_japanese_by_default(page: Page, stack_url: str):
    page.goto(stack_url + "/")

    expect(page.locator("html")).to_have_attribute("lang", "ja")
    expect(page.get_by_role("link", name="住民票の写し")).to_be_visible()
    expect(page.locator(".card")).to_have_count(len(procedures()))
    expect(page.get_by_text("300円").first).to_be_visible()


def test_switching_to_english_refetches_english_names(page: Page, stack_url: str):
    # Given the portal in Japanese
    page.goto(stack_url + "/")
    expect(page.get_by_role("link", name="住民票の写し")).to_be_visible()

    # When the resident picks English
    page.get_by_label("言語（Language）").select_option("en")

    # Then the page and the catalogue are in English
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("link", name="Copy of Resident Record")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("Procedures")
    expect(page.get_by_text("¥300").first).to_be_visible()
    assert "lang=en" in page.url


def test_language_choice_is_remembered(page: Page, stack_url: str):
    page.goto(stack_url + "/?lang=zh")
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hans")
    page.get_by_label("语言（Language）").select_option("ja-easy")
    expect(page.locator("html")).to_have_attribute("lang", "ja")

    page.goto(stack_url + "/")

    expect(page.get_by_label("ことば（Language）")).to_have_value("ja-easy")


def test_procedure_detail_shows_documents_and_place_by_keyboard(page: Page, stack_url: str):
    page.goto(stack_url + "/?lang=en")
    link = page.get_by_role("link", name="Copy of Resident Record")
    link.focus()

    page.keyboard.press("Enter")

    heading = page.get_by_role("heading", level=2, name="Copy of Resident Record")
    expect(heading).to_be_focused()
    expect(page.get_by_role("heading", name="What to bring")).to_be_visible()
    expect(page.get_by_role("heading", name="Where to go")).to_be_visible()
    assert "procedure=juminhyo" in page.url

    page.get_by_role("link", name="Back to all procedures").press("Enter")
    expect(page.get_by_role("link", name="Copy of Resident Record")).to_be_focused()


def test_a_signed_only_procedure_says_why_and_links_to_the_signed_service(page: Page, stack_url: str):
    page.goto(stack_url + "/?lang=en&procedure=tenshutsu-todoke")

    expect(page.get_by_role("heading", level=2, name="Moving-out notification")).to_be_visible()
    expect(page.get_by_role("heading", name="By when")).to_be_visible()
    expect(page.get_by_role("heading", name="Online filing")).to_be_visible()
    expect(page.get_by_text("electronic", exact=False).first).to_be_visible()
    link = page.get_by_role("link", name="File with an electronic signature (Mynaportal)")
    expect(link).to_have_attribute("href", "https://myna.go.jp/")


def test_unknown_procedure_shows_the_api_message_in_an_alert(page: Page, stack_url: str):
    page.goto(stack_url + "/?procedure=no-such-procedure")

    expect(page.get_by_role("alert")).not_to_be_empty()


def test_counter_only_procedures_are_marked(page: Page, stack_url: str):
    page.goto(stack_url + "/?lang=en")
    expect(page.get_by_role("link", name="Copy of Resident Record")).to_be_visible()
    cards = page.locator(".card")
    only = [cards.nth(i).locator(".badge").all_inner_texts() for i in range(cards.count())]
    assert all(badges != ["Counter"] for badges in only), "counter-only must read 'Counter only'"

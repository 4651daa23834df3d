"""Every page of the web front end loads cleanly and passes axe-core's WCAG 2.1 AA rules."""

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

# path -> something that shows the page has rendered (its h1 in Japanese)
PAGES = {
    "/": "手続き案内",
    "/kiosk/": "この端末でできる手続き",
    "/display/": "呼び出し表示",
    "/staff/": "職員コンソール",
    "/preregister/": "おくやみ・転入の事前登録",
    "/docs/": "API ドキュメント",
    "/guide/": "手続きガイド",
    "/faq/": "よくある質問",
    "/staff/guide/": "受付ナビ",
    "/staff/faq/": "FAQの管理",
    "/staff/dashboard/": "窓口ダッシュボード",
}


@pytest.mark.parametrize("path", list(PAGES))
def test_page_loads_without_errors_and_passes_axe(
    page: Page, console_errors: list[str], axe_violations: Callable[[], str], stack_url: str, path: str
):
    # Given a resident or member of staff opening the page
    page.goto(stack_url + path)
    expect(page.locator("h1.page-title")).to_have_text(PAGES[path])
    page.wait_for_load_state("networkidle")
    if path == "/":
        expect(page.locator(".card").first).to_be_visible()
    if path == "/docs/":
        # Swagger UI renders the whole document (over 150 operations) before the first block: slow on a busy machine
        expect(page.locator(".swagger-ui .opblock").first).to_be_visible(timeout=30_000)

    # Then nothing went wrong and axe finds no WCAG 2.1 AA violation
    violations = axe_violations()
    assert violations == "", f"axe violations on {path}:\n{violations}"
    assert console_errors == []


@pytest.mark.parametrize("path", list(PAGES))
def test_tab_reaches_skip_link_first(page: Page, stack_url: str, path: str):
    page.goto(stack_url + path)
    expect(page.locator("h1.page-title")).to_be_visible()

    page.keyboard.press("Tab")

    focused = page.evaluate("() => [document.activeElement.className, document.activeElement.getAttribute('href')]")
    assert focused == ["skip-link", "#main"]
    expect(page.locator(".skip-link")).to_be_in_viewport()
    # and following it moves focus into the main landmark
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "main"


@pytest.mark.parametrize("path", list(PAGES))
def test_every_page_has_a_labelled_language_switcher(page: Page, stack_url: str, path: str):
    page.goto(stack_url + path)
    switcher = page.get_by_label(re.compile("Language"))
    expect(switcher).to_have_value("ja")

    switcher.select_option("pt")

    expect(page.locator("html")).to_have_attribute("lang", "pt-BR")
    expect(page.locator(".skip-link")).to_have_text("Pular para o conteúdo principal")

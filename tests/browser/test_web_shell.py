"""The site's shell in a real browser: one header on every resident page (home link, site sections, language
choice, the signed-in user), on a phone too, and on the calendar page that works without JavaScript; every
resident page passes axe-core in every language."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

pytestmark = pytest.mark.browser

LANGS = ("ja", "en", "pt", "vi", "zh", "ja-easy")
HTML_LANG = {"ja": "ja", "en": "en", "pt": "pt-BR", "vi": "vi", "zh": "zh-Hans", "ja-easy": "ja"}
CATALOGUES = {
    lang: json.loads((Path(__file__).parents[2] / "web" / "src" / "i18n" / f"{lang}.json").read_text(encoding="utf-8"))
    for lang in LANGS
}
# The site sections every resident page links to, in the header's order.
NAV = [
    ("/apply/", "nav.applications"),
    ("/facilities/", "nav.facilities"),
    ("/congestion/", "nav.congestion"),
    ("/guide/", "nav.guide"),
    ("/faq/", "nav.faq"),
    ("/reservations/", "nav.reservations"),
]
# Resident pages and the key of their h1
RESIDENT_PAGES = {
    "/": "portal.title",
    "/apply/": "apply.title",
    "/facilities/": "facilities.title",
    "/reservations/": "reservations.title",
    "/congestion/": "congestion.title",
    "/guide/": "guide.title",
    "/faq/": "faq.title",
    "/preregister/": "resident.title",
    "/verify/": "verify.title",
}
WEEKDAYS_PT = ["seg", "ter", "qua", "qui", "sex", "sáb", "dom"]


def expect_site_header(page: Page, lang: str, current: str | None) -> None:
    """Home link, the six sections (the current one marked), the language choice."""
    t = CATALOGUES[lang]
    banner = page.get_by_role("banner")
    expect(banner.get_by_role("link", name=t["app.name"], exact=True)).to_have_attribute("href", f"/?lang={lang}")
    nav = banner.get_by_role("navigation", name=t["nav.label"])
    expect(nav.get_by_role("link")).to_have_count(len(NAV))
    for path, key in NAV:
        link = nav.get_by_role("link", name=t[key], exact=True)
        expect(link).to_have_attribute("href", f"{path}?lang={lang}")
        if path == current:
            expect(link).to_have_attribute("aria-current", "page")
        else:
            expect(link).not_to_have_attribute("aria-current", "page")
    expect(banner.get_by_label(re.compile("Language"))).to_have_value(lang)


@pytest.mark.parametrize("path", list(RESIDENT_PAGES))
def test_every_resident_page_has_the_site_header(page: Page, stack_url: str, path: str):
    page.goto(f"{stack_url}{path}?lang=pt")
    expect(page.locator("h1.page-title")).to_have_text(CATALOGUES["pt"][RESIDENT_PAGES[path]])
    expect_site_header(page, "pt", path)

    # The home link leads home, in the same language
    page.get_by_role("banner").get_by_role("link", name=CATALOGUES["pt"]["app.name"]).click()
    expect(page.locator("h1.page-title")).to_have_text(CATALOGUES["pt"]["portal.title"])


@pytest.mark.parametrize("path", list(RESIDENT_PAGES))
def test_every_resident_page_passes_axe_in_every_language(
    page: Page, stack_url: str, path: str, axe_violations: Callable[[], str], console_errors: list[str]
):
    for lang in LANGS:
        page.goto(f"{stack_url}{path}?lang={lang}")
        expect(page.locator("html")).to_have_attribute("lang", HTML_LANG[lang])
        expect(page.locator("h1.page-title")).to_have_text(CATALOGUES[lang][RESIDENT_PAGES[path]])
        page.wait_for_load_state("networkidle")
        assert axe_violations() == "", f"axe violations on {path} in {lang}"
    assert console_errors == []


def test_the_header_fits_a_phone(page: Page, stack_url: str):
    page.set_viewport_size({"width": 360, "height": 740})
    for path in ("/", "/guide/", "/reservations/"):
        page.goto(f"{stack_url}{path}?lang=vi")
        expect_site_header(page, "vi", path)
        for link in page.get_by_role("navigation", name=CATALOGUES["vi"]["nav.label"]).get_by_role("link").all():
            expect(link).to_be_in_viewport()
            box = link.bounding_box()
            assert box and box["height"] >= 44, "tap targets a finger can hit"
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), f"{path} scrolls sideways"


def test_the_header_shows_who_is_signed_in_on_pages_without_a_sign_in_panel(page: Page, stack_url: str, sign_in):
    sign_in(page, "resident-1", "/reservations/?lang=en")
    for path in ("/guide/", "/faq/", "/"):
        page.goto(f"{stack_url}{path}?lang=en")
        expect(page.locator("#site-user")).to_have_text("市民 一郎 (resident)（Resident）")


def test_the_calendar_page_without_javascript_has_the_header_a_language_choice_and_explains_rokuyo(
    browser: Browser, stack_url: str
):
    # Given a phone without JavaScript on the calendar page in Vietnamese
    context = browser.new_context(java_script_enabled=False, locale="ja-JP", viewport={"width": 360, "height": 740})
    plain = context.new_page()
    plain.goto(f"{stack_url}/congestion/calendar.html?lang=vi")
    expect_site_header(plain, "vi", "/congestion/")
    expect(plain.locator("#rokuyo-note")).to_contain_text("rokuyō")
    assert plain.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    # When they choose Portuguese in the header's form
    plain.get_by_role("banner").get_by_label(re.compile("Language")).select_option("pt")
    plain.get_by_role("banner").get_by_role("button", name="Đổi").click()

    # Then the same month reads in Portuguese, 六曜 explained, and each day keeps its weekday on the phone
    expect(plain.locator("html")).to_have_attribute("lang", "pt-BR")
    expect(plain.get_by_role("heading", level=1)).to_have_text("Calendário de previsão de movimento")
    expect_site_header(plain, "pt", "/congestion/")
    expect(plain.locator("#rokuyo-note")).to_contain_text("ciclo tradicional japonês")
    days = plain.locator("table td:has(time)")
    expect(days.first).to_be_visible()
    for cell in days.all()[:10]:
        day = date.fromisoformat(str(cell.locator("time").get_attribute("datetime")))
        weekday = cell.locator(".wd")
        expect(weekday).to_be_visible()
        expect(weekday).to_have_text(f"({WEEKDAYS_PT[day.weekday()]})")
    context.close()


def test_the_calendar_page_passes_axe_in_every_language(page: Page, stack_url: str, axe_violations):
    for lang in LANGS:
        page.goto(f"{stack_url}/congestion/calendar.html?lang={lang}")
        expect(page.locator("#rokuyo-note")).not_to_be_empty()
        assert axe_violations() == "", f"axe violations on the calendar page in {lang}"

"""Journeys residents finish in their own language, walked in Portuguese and Vietnamese: the life-event guide to
the procedure's page, the FAQ's hand-over to a person, and a booking whose payment page and reservation list name
the facility in words. Nothing may fall back to English, Japanese or a raw id; axe-core on every page."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from tests.browser.test_web_reservations import day_ahead
from tests.browser.test_web_shell import CATALOGUES, expect_site_header

pytestmark = pytest.mark.browser

GUIDE = {
    "pt": {
        "title": "Notificação de mudança para a cidade (tennyu)",
        "bring": "Documento de identidade de quem faz a notificação",
        "where": "Prefeitura, 1º andar, guichês 1 a 4",
        "detail_bring": "Cartões My Number de todos da família",
        "detail_where": "Prédio principal, 1º andar, balcão da Divisão de Cidadãos",
    },
    "vi": {
        "title": "Khai báo chuyển đến",
        "bring": "Giấy tờ tùy thân của người nộp",
        "where": "Tòa thị chính tầng 1, quầy số 1–4",
        "detail_bring": None,
        "detail_where": None,
    },
}
# English and Japanese texts of the same procedure: none of them may show on a pt or vi page
FALLBACKS = ["Proof of identity", "City Hall 1F", "Moving-in notification", "転入届", "本人確認書類"]


@pytest.mark.parametrize("lang", ["pt", "vi"])
def test_the_guide_leads_to_the_procedure_in_the_residents_language(
    page: Page, stack_url: str, lang: str, axe_violations: Callable[[], str], console_errors: list[str]
):
    t, want = CATALOGUES[lang], GUIDE[lang]
    # Given a resident who moved to the city on 20 November, on the guide in their language
    page.goto(f"{stack_url}/guide/?event=moving_in&lang={lang}")
    expect_site_header(page, lang, "/guide/")
    page.get_by_label(re.compile(t["guide.form.date"])).first.fill("2026-11-20")

    # When they ask for their list
    page.get_by_role("button", name=t["guide.form.submit"]).click()

    # Then the moving-in notification comes first: deadline, where and what to bring, all in their language
    first = page.locator("#guide-result .checklist-item").first
    expect(first.get_by_role("heading", level=3)).to_have_text(want["title"])
    expect(first).to_contain_text(want["bring"])
    expect(first).to_contain_text(want["where"])
    for text in FALLBACKS:
        expect(page.locator("#guide-result")).not_to_contain_text(text)
    assert axe_violations() == "", f"axe violations on the guide's list ({lang})"

    # When they open the procedure's page from the list
    first.get_by_role("link", name=t["guide.item.link"].format(name=want["title"])).click()

    # Then it opens in the same language, with the site header, what to bring and where to go
    expect(page.locator("html")).to_have_attribute("lang", "pt-BR" if lang == "pt" else "vi")
    expect_site_header(page, lang, None)
    main = page.locator("main")
    expect(main.get_by_role("heading", level=1)).to_have_text(t["portal.title"])
    for key in ("detail_bring", "detail_where"):
        if want[key]:
            expect(main).to_contain_text(str(want[key]))
    for text in FALLBACKS:
        expect(main).not_to_contain_text(text)
    assert axe_violations() == "", f"axe violations on the procedure's page ({lang})"
    assert console_errors == []


HAND_OVER = {
    "pt": ("qual é a previsão do tempo para amanhã", "peça um intérprete", "interpretação por vídeo em tablet"),
    "vi": ("thời tiết ngày mai thế nào", "hãy yêu cầu phiên dịch", "phiên dịch video qua máy tính bảng"),
}


@pytest.mark.parametrize("lang", ["pt", "vi"])
def test_the_faq_hands_over_to_a_person_who_can_help_in_the_residents_language(
    page: Page, stack_url: str, lang: str, axe_violations: Callable[[], str]
):
    t = CATALOGUES[lang]
    question, ask, tablet = HAND_OVER[lang]
    # Given a resident on the FAQ in their language
    page.goto(f"{stack_url}/faq/?lang={lang}")
    expect_site_header(page, lang, "/faq/")

    # When they ask something the FAQ cannot answer
    page.get_by_label(t["faq.chat.label"]).fill(question)
    page.get_by_role("button", name=t["faq.chat.send"]).click()

    # Then they are told how to reach someone in their language first, and that the phone line speaks Japanese
    contact = page.locator(".chat-log .faq-contact")
    expect(contact).to_be_visible(timeout=20_000)  # the first question loads the FAQ's index
    expect(contact.locator("p").first).to_contain_text(ask)
    expect(contact.locator("p").first).to_contain_text(tablet)
    expect(contact).to_contain_text(f"{t['faq.chat.phoneJapanese']}: 059-354-8111")
    expect(contact.get_by_role("link", name="059-354-8111")).to_have_attribute("href", "tel:059-354-8111")
    expect(page.locator(".chat-log")).not_to_contain_text("Please contact us")
    assert axe_violations() == "", f"axe violations on the hand-over ({lang})"


def test_a_booking_names_the_facility_in_portuguese_on_the_payment_page_and_in_my_reservations(
    page: Page, stack_url: str, axe_violations: Callable[[], str], sign_in
):
    t = CATALOGUES["pt"]
    day = day_ahead(12)
    # Given a resident booking the practice studio in Portuguese
    sign_in(page, "resident-1", f"{stack_url}/facilities/?lang=pt&facility=sakura-studio&date={day}")
    page.get_by_label(re.compile(r"Estúdio 1 11:00")).check()
    page.get_by_role("button", name=t["facilities.holdAndPay"]).click()

    # Then the payment page names what is paid for in Portuguese
    expect(page.get_by_text(re.compile(rf"^Estúdio Asake Plaza {day}"))).to_be_visible()

    # And my reservations lists the facility and the unit by name, not by id
    page.goto(f"{stack_url}/reservations/?lang=pt")
    expect_site_header(page, "pt", "/reservations/")
    row = page.locator("tr[data-reservation]", has_text=day).first
    expect(row).to_contain_text("Estúdio Asake Plaza")
    expect(row).to_contain_text("Estúdio 1 11:00")
    expect(row).not_to_contain_text("sakura-studio")
    expect(row).not_to_contain_text("studio-1")
    assert axe_violations() == "", "axe violations on my reservations"

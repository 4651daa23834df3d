"""Enrolled devices in Chromium: a counter manager enrols a ticket machine and a kiosk on /staff/devices/, each
machine redeems its code (typed, or from the manager's link) and works, the manager revokes both, and each page
says it is no longer enrolled. axe-core finds nothing, in Japanese and in Portuguese."""

from __future__ import annotations

import re
import secrets

import pytest
import requests
from playwright.sync_api import Browser, Page, expect

pytestmark = pytest.mark.browser


def enrol_on_staff_page(page: Page, kind_label: str, name: str, location: str) -> tuple[str, str]:
    """Fills the manager's form; returns (code, device page link) as the code panel shows them once."""
    page.get_by_label(kind_label).check()
    page.get_by_label(re.compile("^(名前|Nome)$")).fill(name)
    page.get_by_label(re.compile("^(設置場所|Local)$")).fill(location)
    page.locator("#enrol-heading ~ form button[type=submit]").click()
    code = page.locator("#enrolment-code").inner_text()
    link = page.locator("code").filter(has_text="#enrol=").inner_text()
    assert re.fullmatch(r"[0-9A-Z]{4}(-[0-9A-Z]{4}){3}", code)
    return code, link


def test_manager_enrols_and_revokes_a_ticket_machine_and_a_kiosk(
    browser: Browser, page: Page, stack_url: str, sign_in, axe_violations
):
    # Names unique to this test: the session's stack holds other tests' devices
    ticket_name, kiosk_name = f"入口の発券機 {secrets.token_hex(3)}", f"市民課前キオスク {secrets.token_hex(3)}"
    # Given a counter manager on the devices page (Japanese)
    sign_in(page, "staff-kanri", "/staff/devices/")
    expect(page.get_by_role("heading", level=1, name="キオスク端末・発券機の管理")).to_be_visible()
    assert axe_violations() == ""
    ticket_code, _ = enrol_on_staff_page(page, "発券機", ticket_name, "本庁1階 入口")
    expect(page.locator("#code-heading")).to_be_focused()
    expect(page.locator(".qr svg")).to_be_visible()
    assert axe_violations() == ""
    page.get_by_role("button", name="控えたので閉じる").click()
    expect(page.locator("#enrolment-code")).to_have_count(0)  # shown once
    kiosk_code, kiosk_link = enrol_on_staff_page(page, "キオスク端末", kiosk_name, "本庁1階 市民課前")
    page.get_by_role("button", name="控えたので閉じる").click()
    row = page.get_by_role("row", name=re.compile(ticket_name))
    expect(row).to_contain_text("登録待ち")

    # When the ticket machine starts for the first time and the code is typed on it (Portuguese)
    machine = browser.new_context(locale="pt-BR", timezone_id="Asia/Tokyo").new_page()
    machine.goto(f"{stack_url}/ticket-machine/?lang=pt")
    expect(machine.get_by_role("heading", name="Registrar este terminal")).to_be_visible()
    assert _axe(machine) == ""
    machine.get_by_label("Código de registro").fill(ticket_code.lower())
    machine.get_by_role("button", name="Registrar", exact=True).click()
    # Then it issues a ticket, keeps no sign-out for the public, and stays enrolled after a restart
    expect(machine.locator(".device-status")).to_contain_text(ticket_name)
    expect(machine.locator("#signout-button")).to_have_count(0)
    machine.reload()
    tile = machine.get_by_role("button", name=re.compile("Retirar senha")).first
    tile.click()
    expect(machine.locator(".ticket-number")).to_have_text(re.compile(r"^\d+$"))
    assert _axe(machine) == ""
    machine.get_by_role("button", name="Próxima pessoa").click()

    # and the kiosk enrols from the manager's link (its QR code's content)
    kiosk = browser.new_context(locale="ja-JP", timezone_id="Asia/Tokyo").new_page()
    kiosk.goto(kiosk_link)
    expect(kiosk.locator(".device-status")).to_contain_text(kiosk_name)
    assert "#enrol=" not in kiosk.url  # the code leaves the address bar at once
    expect(kiosk.locator(".tile").first).to_be_visible()
    # a spent code enrols nothing more
    again = requests.post(f"{stack_url}/devices/enrol", json={"code": kiosk_code, "kind": "kiosk"}, timeout=30)
    assert again.status_code == 401

    # When the manager revokes both
    page.reload()
    expect(page.get_by_role("row", name=re.compile(ticket_name))).to_contain_text("使用中")
    for name in (ticket_name, kiosk_name):
        row = page.get_by_role("row", name=re.compile(name))
        row.get_by_role("button", name=f"{name} を取り消す").click()
        row.get_by_role("button", name="取り消す", exact=True).click()
        expect(row).to_contain_text("取り消し済み")
    assert axe_violations() == ""

    # Then the ticket machine's next request is refused and it says it is no longer enrolled
    machine.get_by_role("button", name=re.compile("Retirar senha")).first.click()
    expect(machine.get_by_role("heading", name="Registrar este terminal")).to_be_visible()
    expect(machine.get_by_role("alert").first).to_contain_text("revogado")
    expect(machine.locator(".tile")).to_have_count(0)
    # and the kiosk, on its next start
    kiosk.reload()
    expect(kiosk.get_by_role("heading", name="この端末を登録する")).to_be_visible()
    expect(kiosk.locator(".tile")).to_have_count(0)
    assert _axe(kiosk) == ""


def test_a_clerk_cannot_enrol_devices(page: Page, sign_in, axe_violations):
    sign_in(page, "staff-shimin", "/staff/devices/?lang=pt")
    expect(page.get_by_role("status").filter(has_text="gestão do atendimento")).to_be_visible()
    expect(page.locator("#enrol-heading")).to_have_count(0)
    assert axe_violations() == ""


def test_the_ticket_machine_clears_a_ticket_by_itself(page: Page, enrolment_link):
    page.clock.install()
    page.goto(enrolment_link("ticket_machine").replace("/ticket-machine/", "/ticket-machine/?lang=en"))
    page.get_by_role("button", name="Take a ticket for Residence certificate").click()
    expect(page.locator(".ticket-number")).to_be_visible()
    expect(page.locator(".receipt__clears")).to_contain_text("30 seconds")
    page.clock.run_for(31_000)
    # The next person finds the machine ready, not the last ticket and its QR code
    expect(page.locator(".ticket-number")).to_have_count(0)
    expect(page.get_by_role("button", name="Take a ticket for Residence certificate")).to_be_visible()


def _axe(page: Page) -> str:
    from tests.browser.conftest import AXE_JS, WCAG_AA_TAGS

    page.add_script_tag(path=str(AXE_JS))
    result = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_AA_TAGS)
    return "\n".join(f"{v['id']}: {v['help']} {[n['target'] for n in v['nodes'][:3]]}" for v in result["violations"])

"""/staff/certificates/ in Chromium: 市民課 staff look up a certificate their department issued (typed, or the verify
link from its QR code pasted), are told clearly when a number is unknown or belongs to another department, revoke
it with a reason after confirming, and /verify/ then says revoked without the reason. Japanese and English; axe-core
finds nothing at each step."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.integration.test_applications_flow import Api
from tests.integration.test_certificates_api import issued_certificate

WEB_I18N = Path(__file__).resolve().parents[2] / "web" / "src" / "i18n"
T = {lang: json.loads((WEB_I18N / f"{lang}.json").read_text("utf-8")) for lang in ("ja", "en")}
REASON = {"ja": "氏名の記載誤りのため再交付", "en": "Wrong name printed; issued again"}

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("applications")]


@pytest.fixture
def api(stack_url: str, auth_header: Callable[[str], dict[str, str]]) -> Api:
    return Api(stack_url, auth_header)


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_staff_look_a_certificate_up_and_revoke_it_with_a_reason_then_the_public_check_says_revoked(
    page: Page,
    stack_url: str,
    api: Api,
    sign_in: Callable[..., None],
    axe_violations: Callable[[], str],
    console_errors: list[str],
    lang: str,
) -> None:
    t = T[lang]
    # Given a 住民票の写し that 市民課 printed from an application
    number, code, _ = issued_certificate(api)
    # When a 市民課 clerk opens the certificates page from the staff navigation
    sign_in(page, "staff-shimin", f"/staff/?lang={lang}")
    page.get_by_role("navigation", name=t["staffnav.label"]).get_by_role(
        "link", name=t["staffnav.certificates"]
    ).click()
    expect(page.locator("h1.page-title")).to_have_text(t["staffcerts.title"])
    field = page.get_by_label(t["staffcerts.number"], exact=True)
    find = page.get_by_role("button", name=t["staffcerts.find"], exact=True)
    assert axe_violations() == ""
    # Nothing typed: the error summary links to the field
    find.click()
    expect(page.locator("#error-summary").get_by_role("link")).to_have_text(
        f"{t['staffcerts.number']}: {t['staffcerts.number.required']}"
    )
    expect(field).to_have_attribute("aria-invalid", "true")
    assert axe_violations() == ""
    # A number nobody issued: said in words
    field.fill("A1999-999999")
    find.click()
    expect(page.get_by_role("alert").filter(has_text=t["staffcerts.notFound"])).to_be_visible()
    # The verify link read from the paper's QR code, pasted: the number is taken out of it (the code is not kept)
    field.fill(f"{stack_url}/verify/?number={number}&code={code}")
    find.click()
    entry = page.get_by_role("region", name=t["staffcerts.entry.heading"].replace("{number}", number))
    expect(entry).to_be_visible()
    expect(field).to_have_value(number)
    expect(entry).to_contain_text("住民票の写し")
    expect(entry).to_contain_text(t["channel.kiosk"])
    expect(entry).to_contain_text(t["staffcerts.reference.application"])
    expect(page.locator("#cert-status")).to_have_text(t["staffcerts.status.valid"])
    expect(page.locator("main")).not_to_contain_text(code)
    assert axe_violations() == ""
    # Revoking without a reason is refused before anything is asked of the API
    page.get_by_role("button", name=t["staffcerts.revoke"], exact=True).click()
    reason = page.get_by_label(t["staffcerts.reason"], exact=True)
    expect(reason).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#error-summary")).to_contain_text(t["staffcerts.reason.required"])
    # With a reason: asked to confirm first, then revoked
    reason.fill(REASON[lang])
    page.get_by_role("button", name=t["staffcerts.revoke"], exact=True).click()
    confirm = page.get_by_role("group", name=t["staffcerts.revoke.confirm"].replace("{number}", number))
    expect(confirm).to_be_visible()
    assert axe_violations() == ""
    confirm.get_by_role("button", name=t["staffcerts.revoke.yes"]).click()
    expect(page.get_by_role("status").filter(has_text=t["staffcerts.revoked.done"])).to_be_visible()
    expect(page.locator("#cert-status")).to_have_text(t["staffcerts.status.revoked"])
    expect(page.locator("#cert-reason")).to_have_text(REASON[lang])
    expect(page.get_by_role("button", name=t["staffcerts.revoke"], exact=True)).to_have_count(0)
    assert axe_violations() == ""

    # Then whoever holds the paper checks it on /verify/: revoked, and nothing of the reason
    page.goto(f"{stack_url}/verify/?lang={lang}&number={number}&code={code}")
    expect(page.get_by_role("region", name=t["verify.revoked"])).to_be_visible()
    expect(page.locator("main")).not_to_contain_text(REASON[lang])
    expect(page.locator("main")).not_to_contain_text("staff-shimin")
    assert axe_violations() == ""
    assert console_errors == [] or all("404" in e or "403" in e for e in console_errors), console_errors


def test_another_departments_certificate_is_refused_in_words(
    page: Page, api: Api, sign_in: Callable[..., None], axe_violations: Callable[[], str]
) -> None:
    number, _, _ = issued_certificate(api)  # issued by 市民課
    t = T["en"]
    sign_in(page, "staff-zei", "/staff/certificates/?lang=en")
    page.get_by_label(t["staffcerts.number"], exact=True).fill(number.lower())
    page.get_by_role("button", name=t["staffcerts.find"], exact=True).click()
    expect(page.get_by_role("alert").filter(has_text=t["staffcerts.otherDepartment"])).to_be_visible()
    expect(page.get_by_role("button", name=t["staffcerts.revoke"], exact=True)).to_have_count(0)
    assert axe_violations() == ""

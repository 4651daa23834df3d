"""/verify/ in a real browser: a bank clerk checks a printed certificate by its number and code (or its QR code's
link), in Portuguese and Japanese; wrong codes and empty fields are explained; axe finds nothing."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.integration.test_applications_flow import Api
from tests.integration.test_certificates_api import issued_certificate

WEB_I18N = Path(__file__).resolve().parents[2] / "web" / "src" / "i18n"
T = {lang: json.loads((WEB_I18N / f"{lang}.json").read_text("utf-8")) for lang in ("ja", "pt")}

pytestmark = pytest.mark.xdist_group("applications")


@pytest.fixture
def certificate(stack_url: str, auth_header: Callable[[str], dict[str, str]]) -> tuple[str, str]:
    number, code, _ = issued_certificate(Api(stack_url, auth_header))
    return number, code


def test_the_qr_code_link_confirms_a_genuine_certificate_in_portuguese(
    page: Page, stack_url: str, certificate: tuple[str, str], axe_violations: Callable[[], str]
) -> None:
    number, code = certificate
    page.goto(f"{stack_url}/verify/?lang=pt&number={number}&code={code}")
    result = page.get_by_role("region", name=T["pt"]["verify.genuine"])
    expect(result).to_be_visible()
    expect(result).to_contain_text(number)
    expect(result).to_contain_text("Divisão de Cidadãos")
    expect(page.locator("#verify-status")).to_have_text(T["pt"]["verify.status.valid"])
    expect(page.locator("main")).not_to_contain_text("花子")  # no personal data on the page
    expect(page.get_by_role("banner").get_by_role("link", name=T["pt"]["app.name"], exact=True)).to_be_visible()
    assert axe_violations() == ""


def test_a_clerk_types_the_numbers_in_japanese_and_a_wrong_code_is_not_confirmed(
    page: Page, stack_url: str, certificate: tuple[str, str], axe_violations: Callable[[], str]
) -> None:
    number, code = certificate
    page.goto(f"{stack_url}/verify/?lang=ja")
    expect(page.locator("h1.page-title")).to_have_text(T["ja"]["verify.title"])
    # Nothing typed: the error summary names both fields and links to them
    page.get_by_role("button", name=T["ja"]["verify.submit"]).click()
    summary = page.locator("#error-summary")
    expect(summary.get_by_role("link")).to_have_count(2)
    expect(page.get_by_label(T["ja"]["verify.number"], exact=True)).to_have_attribute("aria-invalid", "true")
    assert axe_violations() == ""
    # A wrong code: not confirmed, the same answer as a number that does not exist
    page.get_by_label(T["ja"]["verify.number"], exact=True).fill(number.lower())
    page.get_by_label(T["ja"]["verify.code"], exact=True).fill("000000000000" if code != "000000000000" else "1" * 12)
    page.get_by_role("button", name=T["ja"]["verify.submit"]).click()
    expect(page.get_by_role("alert")).to_have_text(T["ja"]["verify.notFound"])
    # The right code, typed in lower case: confirmed, the day in 和暦
    page.get_by_label(T["ja"]["verify.code"], exact=True).fill(code.lower())
    page.get_by_role("button", name=T["ja"]["verify.submit"]).click()
    result = page.get_by_role("region", name=T["ja"]["verify.genuine"])
    expect(result).to_contain_text("令和")
    expect(result).to_contain_text("市民課")
    assert axe_violations() == ""

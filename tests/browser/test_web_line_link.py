"""A resident links their LINE account through LINE Login (the local LINE stand-in's authorisation page), sees it
linked, and unlinks it; axe-core finds no violation in Japanese and English."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
import requests
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser


def test_resident_links_line_and_unlinks_it(
    page: Page,
    stack_url: str,
    sign_in: Callable[..., None],
    axe_violations: Callable[[], str],
    auth_header: Callable[[str], dict[str, str]],
):
    requests.delete(f"{stack_url}/me/line", headers=auth_header("resident-2"), timeout=10)
    # Given a signed-in resident on the LINE page (Japanese)
    sign_in(page, "resident-2", "/line-link/?lang=ja")
    expect(page.get_by_role("heading", name="LINE 連携", level=1)).to_be_visible()
    expect(page.get_by_text("LINE アカウントはまだ連携していません。")).to_be_visible()
    assert axe_violations() == "", "axe violations (ja, not linked)"
    # When they link with LINE and allow it on LINE's page
    page.get_by_role("button", name="LINE と連携する").click()
    page.wait_for_url(re.compile(r"/oauth2/v2\.1/authorize\?"))
    page.locator("#line-line-user-1").check()
    page.get_by_role("button", name="許可する").click()
    # Then they are back on the page, linked, and the code is gone from the address
    page.wait_for_url(re.compile(r"/line-link/"))
    expect(page.locator("#line-notice")).to_have_text("LINE アカウントを連携しました。")
    expect(page.get_by_text(re.compile(r"LINE アカウントは連携済みです"))).to_be_visible()
    assert "code=" not in page.url and "state=" not in page.url
    assert axe_violations() == "", "axe violations (ja, linked)"
    # In English, the page says it is linked and they unlink
    page.goto(f"{stack_url}/line-link/?lang=en")
    expect(page.get_by_text(re.compile(r"Your LINE account is linked \(since "))).to_be_visible()
    assert axe_violations() == "", "axe violations (en, linked)"
    page.get_by_role("button", name="Unlink LINE").click()
    expect(page.locator("#line-notice")).to_have_text("Your LINE account was unlinked.")
    expect(page.get_by_role("button", name="Link with LINE")).to_be_visible()
    assert axe_violations() == "", "axe violations (en, unlinked)"
    assert requests.get(f"{stack_url}/me/line", headers=auth_header("resident-2"), timeout=10).json()["linked"] is False


def test_cancelling_on_lines_page_says_nothing_was_linked(
    page: Page, stack_url: str, sign_in: Callable[..., None], axe_violations: Callable[[], str]
):
    sign_in(page, "resident-pt", "/line-link/?lang=en")
    page.get_by_role("button", name="Link with LINE").click()
    page.wait_for_url(re.compile(r"/oauth2/v2\.1/authorize\?"))
    page.get_by_role("button", name="キャンセル").click()
    page.wait_for_url(re.compile(r"/line-link/"))
    expect(page.locator("#line-notice")).to_contain_text("Nothing was linked")
    assert axe_violations() == ""

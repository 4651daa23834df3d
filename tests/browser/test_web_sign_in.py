"""Signing in as residents and staff do: the page's button, the local OpenID Connect provider's page (code +
PKCE, a second factor for staff), back to the page they were on; renewal with the refresh token; sign-out."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from infra.local.oidc import STAFF_PASSWORD, staff_totp

pytestmark = pytest.mark.browser


def test_the_providers_sign_in_page_is_accessible_in_each_language(
    page: Page, stack_url: str, axe_violations: Callable[[], str]
):
    for lang, heading in (("ja", "職員のサインイン"), ("en", "Staff sign-in"), ("pt", "Entrada de funcionários")):
        page.goto(f"{stack_url}/staff/?lang={lang}")
        page.locator("#signin-button").click()
        expect(page.get_by_role("heading", name=heading)).to_be_visible()
        assert "code_challenge_method=S256" in page.url
        assert axe_violations() == "", f"provider sign-in page ({lang})"


def test_staff_need_the_right_second_factor(page: Page, stack_url: str):
    page.goto(f"{stack_url}/staff/queue/?lang=en")
    page.get_by_role("button", name="Sign in").click()
    page.get_by_label(re.compile("保険年金課")).check()
    page.get_by_label("Password").fill(STAFF_PASSWORD)
    page.get_by_label(re.compile("Verification code")).fill("000000")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("The password or the verification code is wrong.")
    assert "/oauth2/authorize" in page.url  # no code was issued

    page.get_by_label("Password").fill(STAFF_PASSWORD)
    page.get_by_label(re.compile("Verification code")).fill(staff_totp().now())
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/staff/queue/\?lang=en$"))  # back on the page where sign-in began
    expect(page.locator("#site-user")).to_have_text("保険年金課 職員（Staff）")


def test_a_resident_who_cancels_stays_signed_out_on_the_page(page: Page, stack_url: str):
    page.goto(f"{stack_url}/apply/?lang=en")
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name="Cancel").click()
    page.wait_for_url(re.compile(r"/apply/\?lang=en$"))
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()


def test_an_expired_sign_in_is_renewed_with_the_refresh_token(page: Page, stack_url: str, sign_in):
    sign_in(page, "resident-2", "/apply/?lang=en")
    key = next(k for k in page.evaluate("Object.keys(sessionStorage)") if k.startswith("oidc.user:"))
    stored = json.loads(page.evaluate("k => sessionStorage.getItem(k)", key))
    old_token = stored["id_token"]
    # The tokens ran out while the tab was closed
    stored["expires_at"] = int(time.time()) - 5
    page.evaluate("([k, v]) => sessionStorage.setItem(k, v)", [key, json.dumps(stored)])
    page.reload()
    expect(page.locator("#site-user")).to_have_text(re.compile("市民 花子"))
    renewed = json.loads(page.evaluate("k => sessionStorage.getItem(k)", key))
    assert renewed["id_token"] != old_token and renewed["expires_at"] > time.time()


def test_a_resident_signs_in_and_out(page: Page, stack_url: str, sign_in, sign_out, axe_violations):
    sign_in(page, "resident-1", "/reservations/?lang=en")
    assert page.url.endswith("/reservations/?lang=en")
    expect(page.locator("#site-user")).to_have_text("市民 一郎 (resident)（Resident）")
    assert axe_violations() == ""
    sign_out(page)
    assert page.url == f"{stack_url}/"
    page.goto(f"{stack_url}/reservations/?lang=en")
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    assert not [k for k in page.evaluate("Object.keys(sessionStorage)") if k.startswith("oidc.user:")]

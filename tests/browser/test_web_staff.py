"""Staff console sign-in through the local token endpoint."""

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser


def test_staff_member_signs_in_and_sees_who_they_are(page: Page, stack_url: str):
    # Given the staff console with local sign-in
    page.goto(stack_url + "/staff/?lang=en")

    # When staff-shimin signs in
    page.get_by_label("User").select_option("staff-shimin")
    page.get_by_role("button", name="Sign in").click()

    # Then the console shows the signed-in identity, kept for the browser session
    expect(page.get_by_text("Signed in as staff-shimin")).to_be_visible()
    expect(page.locator(".identity")).to_contain_text("shimin")
    page.reload()
    expect(page.get_by_text("Signed in as staff-shimin")).to_be_visible()

    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()

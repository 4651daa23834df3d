"""The management dashboard: charts with their tables, the R8 gap list, CSV downloads, axe-clean."""

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser


def test_a_manager_sees_the_charts_the_gap_list_and_downloads_a_csv(
    page: Page, sign_in: Callable[..., None], axe_violations: Callable[[], str]
):
    # Given the manager signed in on the dashboard (the stack is seeded with a year of figures)
    sign_in(page, "staff-kanri", url="/staff/dashboard/?lang=en")

    # Then the R8 gap list names the signed-only procedures received over 1,000 times a year
    gaps = page.get_by_role("table", name="R8 target gaps: procedures received 1,000+ a year not yet online here")
    expect(gaps).to_contain_text("Long-term care needs certification", timeout=30_000)  # twelve months load
    expect(gaps).to_contain_text("Moving-out notification")
    expect(gaps).not_to_contain_text("Copy of Resident Record")

    # And every chart is drawn, each followed by its table
    for title in ("Online share per procedure (12 months)", "Receipts per month by channel"):
        section = page.get_by_role("region", name=title)
        expect(section.locator(".chart-holder svg").first).to_be_visible()
        expect(section.get_by_role("table", name=title)).to_be_visible()
    trend = page.get_by_role("table", name="Receipts per month by channel")
    expect(trend.get_by_role("row")).to_have_count(13)  # header + twelve months
    share = page.get_by_role("table", name="Online share per procedure (12 months)")
    expect(share.get_by_role("row").filter(has_text="National Health Insurance")).to_have_count(2)

    # When they download the monthly table as CSV
    with page.expect_download() as download:
        page.get_by_role("region", name="Receipts per month by channel").get_by_role(
            "button", name="Download CSV"
        ).click()
    text = download.value.path().read_text(encoding="utf-8-sig")

    # Then it holds the same rows as the table, and the page passes axe
    lines = text.strip().splitlines()
    assert lines[0].startswith("Month,Online") and len(lines) == 13
    assert axe_violations() == ""


def test_other_staff_are_told_the_dashboard_is_for_management(page: Page, sign_in: Callable[..., None]):
    sign_in(page, "staff-shimin", url="/staff/dashboard/?lang=en")
    expect(page.get_by_text("This page is for counter management staff only.")).to_be_visible()
    expect(page.locator(".chart-holder")).to_have_count(0)

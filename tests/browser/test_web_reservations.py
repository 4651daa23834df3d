"""A resident books a facility and pays by card on the (local) Stripe Checkout page: the success card confirms
the booking; the decline card shows the card error and leaves the hold unpaid. axe-core on every page visited."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, timedelta
from urllib.parse import parse_qs, urlparse
from zoneinfo import ZoneInfo

import jpholiday
import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser


def day_ahead(days: int) -> str:
    """A weekday at least `days` ahead on which the practice studio opens at its weekday price (¥400): not a
    Monday (its closed day), not a weekend or national holiday (weekend price), not the year-end closure."""
    day = datetime.now(ZoneInfo("Asia/Tokyo")).date() + timedelta(days=days)
    while (
        (day.month == 12 and day.day >= 29)
        or (day.month == 1 and day.day <= 3)
        or day.weekday() in (0, 5, 6)
        or jpholiday.is_holiday(day)
    ):
        day += timedelta(days=1)
    return day.isoformat()


def hold_and_go_to_checkout(
    page: Page, stack_url: str, day: str, start: str, axe: Callable[[], str], sign_in: Callable[..., None]
) -> None:
    sign_in(page, "resident-1", f"{stack_url}/facilities/?lang=en&facility=sakura-studio&date={day}")
    expect(page.get_by_role("heading", name=f"Time slots on {day}")).to_be_visible()
    assert axe() == "", "axe violations on the facility page"
    page.get_by_label(re.compile(rf"Studio 1 {start}")).check()
    page.get_by_role("button", name="Hold and go to payment").click()
    expect(page.get_by_role("heading", name="Payment")).to_be_visible()
    assert axe() == "", "axe violations on the checkout page"


def test_book_and_pay_with_the_success_card(
    page: Page, stack_url: str, axe_violations: Callable[[], str], sign_in
) -> None:
    day = day_ahead(10)
    hold_and_go_to_checkout(page, stack_url, day, "10:00", axe_violations, sign_in)
    page.get_by_label("Card number").fill("4242 4242 4242 4242")
    page.get_by_role("button", name=re.compile("^Pay")).click()
    # back on our site, the webhook has confirmed the booking
    expect(page).to_have_url(re.compile(r"/reservations/\?lang=en&paid="))
    expect(page.get_by_text("Payment received: your reservation is confirmed.")).to_be_visible(timeout=15_000)
    paid = parse_qs(urlparse(page.url).query)["paid"][0]
    assert axe_violations() == "", "axe violations on my reservations"
    # the receipt (領収書) page, and its PDF
    page.locator(f'tr[data-reservation="{paid}"]').get_by_role("link", name="Receipt").click()
    receipt = page.get_by_role("region", name="Receipt")
    expect(receipt).to_contain_text("¥400")
    expect(receipt).to_contain_text("Asake Plaza Practice Studio")
    assert axe_violations() == "", "axe violations on the receipt page"
    with page.expect_download() as download:
        receipt.get_by_role("button", name="Download PDF").click()
    with open(download.value.path(), "rb") as pdf:
        assert pdf.read(4) == b"%PDF"
    # the slot now reads as booked for everyone
    page.goto(f"{stack_url}/facilities/?lang=en&facility=sakura-studio&date={day}")
    row = page.get_by_role("row", name=re.compile("^10:00"))
    expect(row).to_contain_text("Booked")


def test_a_declined_card_shows_the_error_and_leaves_the_hold_unpaid(
    page: Page, stack_url: str, axe_violations: Callable[[], str], sign_in
) -> None:
    day = day_ahead(11)
    hold_and_go_to_checkout(page, stack_url, day, "14:00", axe_violations, sign_in)
    page.get_by_label("Card number").fill("4000 0000 0000 0002")
    page.get_by_role("button", name=re.compile("^Pay")).click()
    expect(page.get_by_role("alert")).to_contain_text("Your card was declined.")
    expect(page.get_by_label("Card number")).to_have_attribute("aria-invalid", "true")
    assert axe_violations() == "", "axe violations on the checkout page with the decline"
    page.get_by_role("link", name="Go back").click()
    expect(page.get_by_text("The payment was not completed.")).to_be_visible()
    unpaid = parse_qs(urlparse(page.url).query)["unpaid"][0]
    row = page.locator(f'tr[data-reservation="{unpaid}"]')  # other tests' reservations may be listed too
    expect(row).to_contain_text("Held (not paid)")
    expect(row.get_by_role("button", name="Pay", exact=True)).to_be_visible()
    assert axe_violations() == "", "axe violations on my reservations after the decline"


def test_staff_see_bookings_and_decide_fee_reductions(
    page: Page,
    stack_url: str,
    axe_violations: Callable[[], str],
    sign_in,
    sign_out,
) -> None:
    sign_in(page, "staff-shisetsu", f"{stack_url}/staff/facilities/?lang=en")
    expect(page.get_by_role("heading", name="Bookings of the day")).to_be_visible()
    expect(page.get_by_role("heading", name="Facility settings")).to_be_visible()
    assert axe_violations() == "", "axe violations on the staff facilities page"
    # staff of another department are told the page is not theirs
    sign_out(page)
    sign_in(page, "staff-shimin", f"{stack_url}/staff/facilities/?lang=en")
    expect(page.get_by_text("Only staff of the Facilities Management Division can use this page.")).to_be_visible()

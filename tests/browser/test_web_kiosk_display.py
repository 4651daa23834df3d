"""Kiosk and ticket display board shells."""

import re

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser


def test_kiosk_lists_only_kiosk_procedures_as_big_buttons(page: Page, stack_url: str, enrolment_link):
    page.goto(enrolment_link("kiosk").replace("/kiosk/", "/kiosk/?lang=en"))  # an enrolled kiosk
    tile = page.get_by_role("button", name=re.compile("Copy of Resident Record"))
    expect(tile).to_be_visible()
    box = tile.bounding_box()
    assert box and box["height"] >= 88, "touch targets should be large"

    api = page.request.get(stack_url + "/procedures?lang=en").json()
    kiosk = [p for p in api["procedures"] if "kiosk" in p["channels"]]
    expect(page.locator(".tile")).to_have_count(len(kiosk))

    tile.click()
    expect(page.get_by_role("heading", level=2, name="Copy of Resident Record")).to_be_focused()


def test_display_board_shows_empty_state_and_tokyo_clock(page: Page, stack_url: str):
    page.goto(stack_url + "/display/?lang=en")

    expect(page.get_by_role("heading", name="Now calling")).to_be_visible()
    # Empty unless another test of this session is calling numbers (tests/browser/test_web_queue.py shows those)
    empty = page.get_by_text("No numbers are being called right now.")
    expect(empty.or_(page.locator(".calling-grid"))).to_be_visible()
    expect(page.locator(".clock__time")).to_have_text(re.compile(r"^\d{2}:\d{2}$"))

"""The staff proxy-input form reads the resident's My Number card at the counter: the emulated card over PC/SC
(pcscd + vpcd) through the unchanged card bridge (origin-checked, on this PC), its four items become a visit and
prefill the application the clerk starts; a wrong PIN is counted by the card and shown, never retried."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import axe_violations, console_errors, page, sign_in  # noqa: F401 - fixtures
from tests.devices.conftest import PIN
from tests.devices.mynumber_card import CardData, VirtualCardSlot
from tests.devices.test_cardbridge_http import BridgeProcess
from tests.devices.test_cardbridge_http import start_bridge as start_bridge  # the fixture
from tests.devices.test_kiosk_browser import card_of_resident_1  # noqa: F401 - fixture

pytestmark = [pytest.mark.pcsc, pytest.mark.browser, pytest.mark.xdist_group("pcsc")]


def test_read_card_prefills_the_proxy_form(
    page: Page,  # noqa: F811
    stack_url: str,
    sign_in: Callable[..., None],  # noqa: F811
    start_bridge: Callable[..., BridgeProcess],
    insert_card: Callable[[CardData], VirtualCardSlot],
    card_of_resident_1: CardData,  # noqa: F811
    axe_violations: Callable[[], str],  # noqa: F811
) -> None:
    bridge = start_bridge("--origin", stack_url)
    page.add_init_script(f"localStorage.setItem('madoguchi.cardbridge', {bridge.url!r})")
    page.context.grant_permissions(["local-network-access"], origin=stack_url)
    insert_card(card_of_resident_1)
    sign_in(page, "staff-shimin", f"{stack_url}/staff/applications/?lang=en")
    expect(page.get_by_role("heading", name="Fill in for a resident")).to_be_visible()
    page.locator("#proxy-procedure").select_option("juminhyo")

    # The resident types a wrong PIN: the card counts it, the page says so and asks again
    page.get_by_label("Card PIN (4 digits, typed by the resident)").fill("9999")
    page.get_by_role("button", name="Read card").click()
    expect(page.get_by_role("alert")).to_contain_text("Wrong PIN. Tries left before the card locks: 2.")
    assert card_of_resident_1.helper_pin.tries_left == 2

    page.get_by_label("Card PIN (4 digits, typed by the resident)").fill(PIN)
    with page.expect_response(lambda r: r.url.split("?")[0].endswith("/visits") and r.ok) as visit:
        page.get_by_role("button", name="Read card").click()
    expect(page.get_by_role("status")).to_contain_text("Card read: 市民 一郎")
    assert card_of_resident_1.helper_pin.tries_left == 3
    expect(page.get_by_label("Card PIN (4 digits, typed by the resident)")).to_have_value("")  # the PIN is not kept
    assert axe_violations() == ""

    with page.expect_response(
        lambda r: r.url.split("?")[0].endswith("/applications") and r.request.method == "POST"
    ) as started:
        page.get_by_role("button", name="Start", exact=True).click()
    assert started.value.ok, started.value.text()
    application: dict[str, Any] = started.value.json()
    assert visit.value.json()["id"]  # the card's items went to the API as a visit, and from it into the form
    prefilled = {k: v for k, v in application["answers"].items() if k in application["prefilled"]}
    assert "市民 一郎" in prefilled.values() and "三重県四日市市諏訪町1番5号" in prefilled.values()

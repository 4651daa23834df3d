"""A real browser on the city's kiosk page reaches the bridge; a page of another site cannot read from it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Browser, Page

from tests.devices.conftest import PIN, resident
from tests.devices.mynumber_card import CardData, VirtualCardSlot
from tests.devices.test_cardbridge_http import SITE, BridgeProcess
from tests.devices.test_cardbridge_http import start_bridge as start_bridge  # the fixture

pytestmark = [pytest.mark.pcsc, pytest.mark.browser, pytest.mark.xdist_group("pcsc")]

CHROMIUM = "/usr/bin/chromium"
READ_CARD = """async ([bridge, pin]) => {
  try {
    const response = await fetch(bridge + "/v1/card/basic-four", {
      method: "POST", headers: {"Content-Type": "application/json"}, body: JSON.stringify({pin}),
    });
    return {status: response.status, body: await response.json()};
  } catch (error) {
    return {error: String(error)};
  }
}"""


def page_of(browser: Browser, origin: str) -> Page:
    """A page served from origin (fulfilled by Playwright: the site itself is not needed).

    Chromium asks the user before a site reaches loopback (Local Network Access); the kiosk's managed browser
    grants it to the city's site. Both pages here have it, so only the bridge decides.
    """
    context = browser.new_context()
    context.grant_permissions(["local-network-access"], origin=origin)
    page = context.new_page()
    page.route(f"{origin}/**", lambda route: route.fulfill(body="<!doctype html><title>kiosk</title>", status=200))
    page.goto(f"{origin}/kiosk/")
    return page


def test_the_kiosk_page_reads_the_card_through_the_bridge(
    browser: Browser,
    start_bridge: Callable[..., BridgeProcess],
    insert_card: Callable[[CardData], VirtualCardSlot],
    resident_1_card: CardData,
) -> None:
    bridge = start_bridge()
    insert_card(resident_1_card)
    kiosk = page_of(browser, SITE)
    result: dict[str, Any] = kiosk.evaluate(READ_CARD, [bridge.url, PIN])
    assert result.get("status") == 200, result
    assert result["body"]["name"] == resident("resident-1")["name"]
    kiosk.context.close()


def test_a_page_of_another_site_cannot_read_the_card(
    browser: Browser,
    start_bridge: Callable[..., BridgeProcess],
    insert_card: Callable[[CardData], VirtualCardSlot],
    resident_1_card: CardData,
) -> None:
    bridge = start_bridge()
    insert_card(resident_1_card)
    other = page_of(browser, "https://evil.example")
    result: dict[str, Any] = other.evaluate(READ_CARD, [bridge.url, PIN])
    assert "error" in result, result  # the bridge refused the origin, so the browser hides the answer
    assert resident_1_card.helper_pin.tries_left == 3  # and the card never saw the PIN
    other.context.close()

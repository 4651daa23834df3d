"""Playwright fixtures: Debian's Chromium, one fresh Japanese-locale page per test.

`stack_url` (a running local stack serving web/dist and the API) comes from tests/conftest.py.
"""

import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import requests
from playwright.sync_api import Browser, ConsoleMessage, Page, expect

from infra.local.oidc import STAFF_PASSWORD, staff_totp

CHROMIUM = "/usr/bin/chromium"
AXE_JS = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
WCAG_AA_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


@pytest.fixture
def console_errors() -> list[str]:
    """Console errors and uncaught exceptions seen by `page`."""
    return []


@pytest.fixture
def page(browser: Browser, console_errors: list[str]) -> Iterator[Page]:
    # A Japanese browser, so "no preference" means Japanese as for most residents.
    context = browser.new_context(locale="ja-JP", timezone_id="Asia/Tokyo", viewport={"width": 1280, "height": 900})

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            console_errors.append(f"console: {message.text} ({message.location.get('url', '')})")

    page = context.new_page()
    page.on("console", on_console)
    page.on("pageerror", lambda error: console_errors.append(f"pageerror: {error}"))
    yield page
    context.close()


@pytest.fixture
def axe_violations(page: Page) -> Callable[[], str]:
    """Runs axe-core (from node_modules) on `page` against WCAG 2.1 A/AA; returns the violations as text."""

    def run() -> str:
        page.add_script_tag(path=str(AXE_JS))
        result = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_AA_TAGS)
        lines = []
        for v in result["violations"]:
            lines.append(f"{v['id']} ({v['impact']}): {v['help']}")
            lines.extend(f"    {node['target']}: {node['failureSummary']}" for node in v["nodes"][:5])
        return "\n".join(lines)

    return run


@pytest.fixture
def sign_in(stack_url: str) -> Callable[..., None]:
    """Signs `user` in as a person would: the page's sign-in button, the local provider's sign-in page (staff
    also give the demo password and a current TOTP code), and back to the page (signed in). With `url`, opens
    that page first."""

    def run(page: Page, user: str, url: str | None = None) -> None:
        if url is not None:
            page.goto(url if url.startswith("http") else stack_url + url)
        page.locator("#signin-button").click()
        page.wait_for_url(re.compile(r"/oauth2/authorize\?"))
        page.locator(f"#user-{user}").check()
        if page.locator("#otp").count():
            page.locator("#password").fill(STAFF_PASSWORD)
            page.locator("#otp").fill(staff_totp().now())
        page.locator("form button[type=submit]").click()
        page.wait_for_url(lambda address: address.startswith(stack_url) and "/signin/" not in address)
        # The header names who is signed in (staff pages show nothing more: one sign-in for the workspace)
        expect(page.locator("#site-user .site-header__user-name")).to_be_visible()

    return run


@pytest.fixture
def sign_out() -> Callable[[Page], None]:
    """The sign-in panel's sign-out: ends the provider's session and lands on the site's top page."""

    def run(page: Page) -> None:
        page.locator("#signout-button").click()
        page.wait_for_url(re.compile(r"/(\?.*)?$"))

    return run


@pytest.fixture
def enrolment_link(stack_url: str) -> Callable[[str], str]:
    """A device page's enrolment link (`/ticket-machine/#enrol=<code>`), made by a counter manager through the
    API: what the manager opens on the machine (or its QR code) to enrol it."""

    def run(kind: str) -> str:
        token = requests.post(f"{stack_url}/_local/token", json={"user": "staff-kanri"}, timeout=30).json()["token"]
        response = requests.post(
            f"{stack_url}/staff/devices",
            json={"kind": kind, "label": f"test {kind}", "location": "1F"},
            headers={"Authorization": f"Bearer {token}"},
            timeout=30,
        )
        response.raise_for_status()
        return str(response.json()["enrol_url"])

    return run

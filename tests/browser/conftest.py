"""Playwright fixtures: Debian's Chromium, one fresh Japanese-locale page per test.

`stack_url` (a running local stack serving web/dist and the API) comes from tests/conftest.py.
"""

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, sync_playwright

CHROMIUM = "/usr/bin/chromium"
AXE_JS = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
WCAG_AA_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} not installed (apt-get install chromium)")
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=["--disable-background-networking", "--disable-component-update", "--no-first-run", "--disable-sync"],
        )
        yield browser
        browser.close()


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

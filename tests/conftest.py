"""Fixtures shared by the suites that talk to the system: one local stack per test session (per xdist worker),
started only when a test asks for it. Unit tests never import it (the local stack's import is inside)."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
import requests

if TYPE_CHECKING:
    from playwright.sync_api import Browser

    from infra.local.stack import LocalStack

CHROMIUM = "/usr/bin/chromium"

# `make test` / `make logscan` set this: every handler log line of the session is copied there (one file per
# xdist worker), at DEBUG, and tests/privacy/scan.py then looks for personal data in it.
HANDLER_LOGS = os.environ.get("MADOGUCHI_HANDLER_LOGS")


@pytest.fixture(scope="session")
def local_stack() -> Iterator[LocalStack]:
    from infra.local import handler_logs
    from infra.local.stack import LocalStack

    tee = None
    if HANDLER_LOGS:
        os.environ["POWERTOOLS_LOG_LEVEL"] = "DEBUG"
        worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
        tee = handler_logs.capture(Path(HANDLER_LOGS) / f"{worker}.jsonl")
    stack = LocalStack(port=0).start()
    yield stack
    stack.stop()
    if tee is not None:
        handler_logs.release(tee)


@pytest.fixture(scope="session")
def stack_url(local_stack: LocalStack) -> str:
    return local_stack.url


@pytest.fixture(scope="session")
def token_for(local_stack: LocalStack) -> Callable[[str], str]:
    """A demo user's token, obtained the way the web pages do (POST /_local/token)."""

    def issue(user: str) -> str:
        response = requests.post(f"{local_stack.url}/_local/token", json={"user": user}, timeout=10)
        response.raise_for_status()
        return str(response.json()["token"])

    return issue


@pytest.fixture(scope="session")
def auth_header(token_for: Callable[[str], str]) -> Callable[[str], dict[str, str]]:
    return lambda user: {"Authorization": f"Bearer {token_for(user)}"}


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Debian's Chromium through Playwright, one per session (per xdist worker) for tests/browser and the kiosk's
    tests/devices alike: Playwright's sync API cannot run a second instance beside a live one."""
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} not installed (apt-get install chromium)")
    with sync_playwright() as p:
        launched = p.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=["--disable-background-networking", "--disable-component-update", "--no-first-run", "--disable-sync"],
        )
        yield launched
        launched.close()

"""Fixtures shared by the suites that talk to the system: one local stack per test session (per xdist worker),
started only when a test asks for it. Unit tests never import it (the local stack's import is inside)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

import pytest
import requests

if TYPE_CHECKING:
    from infra.local.stack import LocalStack


@pytest.fixture(scope="session")
def local_stack() -> Iterator[LocalStack]:
    from infra.local.stack import LocalStack

    stack = LocalStack(port=0).start()
    yield stack
    stack.stop()


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

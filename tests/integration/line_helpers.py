"""Linking a demo resident's LINE account on the local stack as the /line-link/ page does: our handler starts LINE
Login, the LINE stand-in's authorisation page is answered, and LINE's code and state go back to our handler."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from urllib.parse import parse_qs, urlsplit

import requests

from infra.local.line import LINE_USERS

AuthHeader = Callable[[str], dict[str, str]]


def authorize(authorize_url: str, account: str = "line-user-1", decision: str = "allow") -> dict[str, str]:
    """The resident on LINE's authorisation page: chooses an account and allows; LINE redirects to our page."""
    page = requests.get(authorize_url, timeout=10)
    assert page.status_code == 200 and 'name="decision"' in page.text
    answer = requests.post(
        authorize_url, data={"user": account, "decision": decision}, allow_redirects=False, timeout=10
    )
    assert answer.status_code == 302
    back = urlsplit(answer.headers["Location"])
    assert back.path == "/line-link/"
    return {k: v[0] for k, v in parse_qs(back.query).items()}


def link_line(stack_url: str, auth_header: AuthHeader, resident: str, account: str = "line-user-1") -> str:
    """Links `resident` to the stand-in's LINE `account`; returns that account's LINE user id."""
    headers = auth_header(resident)
    started = requests.post(f"{stack_url}/me/line/link", headers=headers, timeout=30)
    assert started.status_code == 200, started.text
    back = authorize(started.json()["authorize_url"], account)
    linked = requests.post(f"{stack_url}/me/line/callback", json=back, headers=headers, timeout=30)
    assert linked.status_code == 200 and linked.json()["linked"] is True, linked.text
    return LINE_USERS[account]


def unlink_line(stack_url: str, auth_header: AuthHeader, resident: str) -> None:
    assert requests.delete(f"{stack_url}/me/line", headers=auth_header(resident), timeout=30).status_code == 200


@contextmanager
def line_linked(stack_url: str, auth_header: AuthHeader, resident: str, account: str = "line-user-1") -> Iterator[str]:
    """The resident linked for the block, unlinked after it (other tests expect demo residents unlinked)."""
    try:
        yield link_line(stack_url, auth_header, resident, account)
    finally:
        unlink_line(stack_url, auth_header, resident)

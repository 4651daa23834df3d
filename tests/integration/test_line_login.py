"""LINE Login linking on the local stack: our handler exchanges the code with the LINE stand-in and verifies the
ID token it gets (signature, issuer, audience, expiry, nonce) before it links; every forgery is a translated 400
and nothing is linked."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import jwt
import pytest
import requests

from infra.local.line import LINE_USERS
from infra.local.secrets import LOCAL_SECRETS
from tests.integration.line_helpers import authorize

CHANNEL = LOCAL_SECRETS["line_login"]
Api = Callable[..., requests.Response]


@pytest.fixture
def api(stack_url: str, auth_header: Callable[[str], dict[str, str]]) -> Api:
    def call(method: str, path: str, user: str | None = None, body: Any = None, lang: str = "en") -> requests.Response:
        headers = {"Accept-Language": lang, **(auth_header(user) if user else {})}
        return requests.request(method, f"{stack_url}{path}", json=body, headers=headers, timeout=30)

    return call


@pytest.fixture
def tamper(local_stack: Any) -> Iterator[Callable[[Callable[[dict[str, Any]], str]], None]]:
    def set_tamper(make: Callable[[dict[str, Any]], str]) -> None:
        local_stack.line.tamper_id_token = make

    yield set_tamper
    local_stack.line.tamper_id_token = None


def start(api: Api, user: str) -> dict[str, str]:
    started = api("POST", "/me/line/link", user)
    assert started.status_code == 200, started.text
    return authorize(started.json()["authorize_url"])


def test_a_resident_links_and_unlinks_their_line_account(api: Api, local_stack: Any):
    # Given a signed-in resident who is not linked
    api("DELETE", "/me/line", "resident-2")
    assert api("GET", "/me/line", "resident-2").json()["linked"] is False
    # When they start linking, LINE Login asks for openid only, with state, nonce and PKCE S256
    started = api("POST", "/me/line/link", "resident-2").json()
    query = parse_qs(urlsplit(started["authorize_url"]).query)
    assert query["scope"] == ["openid"] and query["code_challenge_method"] == ["S256"]
    assert query["client_id"] == [CHANNEL["channel_id"]]
    assert query["redirect_uri"] == [f"{local_stack.url}/line-link/"]
    assert all(query[k][0] for k in ("state", "nonce", "code_challenge"))
    # and they allow it on LINE's page and the site's page hands back code and state
    back = authorize(started["authorize_url"])
    linked = api("POST", "/me/line/callback", "resident-2", back)
    # Then their account is linked; the LINE user id is never shown
    assert linked.status_code == 200, linked.text
    assert linked.json()["linked"] is True
    status = api("GET", "/me/line", "resident-2")
    assert status.json()["linked"] is True and status.json()["linked_at"]
    assert LINE_USERS["line-user-1"] not in status.text + linked.text
    # When they unlink, it is gone (and unlinking again is fine)
    assert api("DELETE", "/me/line", "resident-2").json()["linked"] is False
    assert api("GET", "/me/line", "resident-2").json()["linked"] is False
    assert api("DELETE", "/me/line", "resident-2").status_code == 200


def test_a_replayed_callback_is_refused(api: Api):
    api("DELETE", "/me/line", "resident-pt")
    back = start(api, "resident-pt")
    assert api("POST", "/me/line/callback", "resident-pt", back).status_code == 200
    api("DELETE", "/me/line", "resident-pt")
    # The same code and state again (a replay): the state was used once
    replay = api("POST", "/me/line/callback", "resident-pt", back, lang="pt")
    assert replay.status_code == 400
    assert replay.json()["code"] == "line_link_state"
    assert "Nada foi vinculado" in replay.json()["message"]
    assert api("GET", "/me/line", "resident-pt").json()["linked"] is False


def test_another_residents_state_is_refused_and_spent(api: Api):
    # Given resident-1 started linking and LINE came back with their code and state
    api("DELETE", "/me/line", "resident-2")
    back = start(api, "resident-1")
    # When resident-2 hands that code and state in (a link made to fix someone else's LINE on their account)
    stolen = api("POST", "/me/line/callback", "resident-2", back)
    # Then it is refused and nobody is linked by it
    assert stolen.status_code == 400 and stolen.json()["code"] == "line_link_state"
    assert api("GET", "/me/line", "resident-2").json()["linked"] is False
    assert api("POST", "/me/line/callback", "resident-1", back).status_code == 400


def test_an_unknown_state_and_a_wrong_code_are_refused(api: Api):
    api("DELETE", "/me/line", "resident-1")
    unknown = api("POST", "/me/line/callback", "resident-1", {"code": "x", "state": "A" * 43})
    assert unknown.status_code == 400 and unknown.json()["code"] == "line_link_state"
    back = start(api, "resident-1")
    wrong_code = api("POST", "/me/line/callback", "resident-1", {**back, "code": "not-the-code"}, lang="ja")
    assert wrong_code.status_code == 400 and wrong_code.json()["code"] == "line_link_refused"
    assert "何も連携していません" in wrong_code.json()["message"]
    assert api("GET", "/me/line", "resident-1").json()["linked"] is False


def forged(claims: dict[str, Any]) -> str:
    return jwt.encode(claims, "not-the-channel-secret-of-this-city-0123", algorithm="HS256")


def expired(claims: dict[str, Any]) -> str:
    past = int(time.time()) - 7200
    return jwt.encode({**claims, "iat": past, "exp": past + 3600}, CHANNEL["channel_secret"], algorithm="HS256")


def other_channel(claims: dict[str, Any]) -> str:
    return jwt.encode({**claims, "aud": "1650009999"}, CHANNEL["channel_secret"], algorithm="HS256")


def other_nonce(claims: dict[str, Any]) -> str:
    return jwt.encode({**claims, "nonce": "a-nonce-of-another-authorisation"}, CHANNEL["channel_secret"], "HS256")


def no_nonce(claims: dict[str, Any]) -> str:
    return jwt.encode({k: v for k, v in claims.items() if k != "nonce"}, CHANNEL["channel_secret"], "HS256")


def other_issuer(claims: dict[str, Any]) -> str:
    return jwt.encode({**claims, "iss": "https://evil.example"}, CHANNEL["channel_secret"], algorithm="HS256")


def unsigned(claims: dict[str, Any]) -> str:
    return jwt.encode(claims, None, algorithm="none")


@pytest.mark.parametrize(
    "make", [forged, expired, other_channel, other_nonce, no_nonce, other_issuer, unsigned], ids=lambda f: f.__name__
)
def test_an_id_token_that_does_not_verify_links_nothing(api: Api, tamper, make):
    # Given LINE's token endpoint answers an ID token that must not be trusted
    api("DELETE", "/me/line", "resident-1")
    tamper(make)
    back = start(api, "resident-1")
    # When the page hands the code back
    refused = api("POST", "/me/line/callback", "resident-1", back, lang="vi")
    # Then it is a translated 400 and nothing is linked
    assert refused.status_code == 400, refused.text
    assert refused.json()["code"] == "line_link_refused"
    assert "Chưa liên kết gì" in refused.json()["message"]
    assert api("GET", "/me/line", "resident-1").json()["linked"] is False


def test_strangers_staff_and_devices_cannot_link(api: Api):
    assert api("POST", "/me/line/link").status_code == 401
    assert api("GET", "/me/line").status_code == 401
    for user in ("staff-shimin", "ticket-1"):
        assert api("POST", "/me/line/link", user).status_code == 403
        assert api("POST", "/me/line/callback", user, {"code": "x", "state": "A" * 43}).status_code == 403
        assert api("DELETE", "/me/line", user).status_code == 403


def test_a_crafted_state_is_a_422_with_the_field(api: Api):
    bad = api("POST", "/me/line/callback", "resident-1", {"code": "x", "state": "../../etc"})
    assert bad.status_code == 422
    assert bad.json()["detail"][0]["loc"] == ["body", "state"]


def test_the_stand_in_refuses_an_unregistered_redirect_uri(api: Api, stack_url: str):
    started = api("POST", "/me/line/link", "resident-1").json()["authorize_url"]
    evil = started.replace("line-link", "evil")
    page = requests.get(evil, timeout=10, allow_redirects=False)
    assert page.status_code == 400


def test_cancelling_on_lines_page_links_nothing(api: Api):
    api("DELETE", "/me/line", "resident-1")
    started = api("POST", "/me/line/link", "resident-1").json()["authorize_url"]
    back = authorize(started, decision="cancel")
    assert back["error"] == "access_denied" and "code" not in back
    assert api("GET", "/me/line", "resident-1").json()["linked"] is False

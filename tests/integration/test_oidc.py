"""The local OpenID Connect provider and the gateway's token check, driven by authlib's OAuth 2.0 client.

The provider stands in for Cognito's managed login; these tests hold it to what the pages rely on: discovery,
the code flow with PKCE S256 only, single-use codes, refresh, Cognito's claims, and the gateway refusing every
token the cloud authorizer would refuse.
"""

from __future__ import annotations

import base64
import hashlib
from typing import Any
from urllib.parse import parse_qs, urlsplit

import jwt
import pytest
import requests
from authlib.common.security import generate_token
from authlib.integrations.requests_client import OAuth2Session

from infra.local.oidc import CALLBACK_PATH, STAFF_PASSWORD, staff_totp


def discovery(local_stack: Any, role: str) -> dict[str, Any]:
    authority = local_stack.oidc.web_config()[role]["authority"]
    response = requests.get(f"{authority}/.well-known/openid-configuration", timeout=10)
    assert response.status_code == 200
    return dict(response.json())


def client(local_stack: Any, role: str) -> OAuth2Session:
    return OAuth2Session(
        local_stack.oidc.web_config()[role]["clientId"],
        redirect_uri=local_stack.url + CALLBACK_PATH,
        scope="openid",
        code_challenge_method="S256",
    )


def authorize(local_stack: Any, role: str, form: dict[str, str], **params: str) -> tuple[OAuth2Session, str, str]:
    """Signs in on the provider's page; returns the client, its PKCE verifier and the callback address."""
    meta = discovery(local_stack, role)
    session, verifier = client(local_stack, role), generate_token(48)
    url, _ = session.create_authorization_url(meta["authorization_endpoint"], code_verifier=verifier, **params)
    page = requests.get(url, timeout=10)
    assert page.status_code == 200
    answer = requests.post(url, data=form, allow_redirects=False, timeout=10)
    assert answer.status_code == 302, answer.text
    return session, verifier, answer.headers["Location"]


def sign_in(local_stack: Any, user: str, role: str = "resident", **form: str) -> dict[str, Any]:
    session, verifier, callback = authorize(local_stack, role, {"user": user, **form})
    token: dict[str, Any] = session.fetch_token(
        discovery(local_stack, role)["token_endpoint"], authorization_response=callback, code_verifier=verifier
    )
    return token


def me(stack_url: str, id_token: str) -> requests.Response:
    return requests.get(f"{stack_url}/me", headers={"Authorization": f"Bearer {id_token}"}, timeout=10)


def test_each_pool_has_its_own_authority_and_keys(local_stack):
    issuers = set()
    for role in ("resident", "staff", "device"):
        meta = discovery(local_stack, role)
        assert meta["issuer"] == local_stack.oidc.web_config()[role]["authority"]
        assert meta["code_challenge_methods_supported"] == ["S256"]
        assert meta["grant_types_supported"] == ["authorization_code", "refresh_token"]
        assert meta["response_types_supported"] == ["code"]
        keys = requests.get(meta["jwks_uri"], timeout=10).json()["keys"]
        assert [k["kty"] for k in keys] == ["RSA"] and "d" not in keys[0]
        issuers.add(meta["issuer"])
    assert len(issuers) == 3


def test_config_json_names_the_local_authorities(local_stack, stack_url):
    config = requests.get(f"{stack_url}/config.json", timeout=10).json()
    assert config["siteUrl"] == stack_url
    assert "tokenUrl" not in config["auth"] and "demoUsers" not in config["auth"]  # no picker, no shortcut
    for role in ("resident", "staff", "device"):
        assert config["auth"][role]["authority"] == discovery(local_stack, role)["issuer"]
        assert config["auth"][role]["clientId"]


def test_resident_signs_in_with_code_and_pkce_and_calls_the_api(local_stack, stack_url):
    token = sign_in(local_stack, "resident-2")
    assert {"access_token", "id_token", "refresh_token"} <= token.keys()
    claims = jwt.decode(token["id_token"], options={"verify_signature": False})
    assert claims["token_use"] == "id"
    assert claims["aud"] == local_stack.oidc.web_config()["resident"]["clientId"]
    response = me(stack_url, token["id_token"])
    assert response.status_code == 200
    assert response.json() == {
        "sub": "resident-2",
        "role": "resident",
        "department": None,
        "device_kind": None,
        "device_id": None,
    }


def test_the_sign_in_page_returns_to_the_site_with_the_state(local_stack):
    _, _, callback = authorize(local_stack, "resident", {"user": "resident-1"}, state="back-to-apply")
    parts = urlsplit(callback)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == local_stack.url + CALLBACK_PATH
    assert parse_qs(parts.query)["state"] == ["back-to-apply"]


def test_wrong_verifier_is_refused(local_stack):
    session, _, callback = authorize(local_stack, "resident", {"user": "resident-1"})
    code = parse_qs(urlsplit(callback).query)["code"][0]
    response = requests.post(
        discovery(local_stack, "resident")["token_endpoint"],
        data={
            "grant_type": "authorization_code",
            "code": code,
            "client_id": session.client_id,
            "redirect_uri": local_stack.url + CALLBACK_PATH,
            "code_verifier": generate_token(48),
        },
        timeout=10,
    )
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_grant"


def _challenge(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()


@pytest.mark.parametrize(
    "pkce",
    [{}, {"code_challenge": "x" * 43, "code_challenge_method": "plain"}, {"code_challenge": _challenge("v" * 43)}],
    ids=["missing", "plain", "no-method"],
)
def test_authorization_without_pkce_s256_is_refused(local_stack, pkce):
    meta = discovery(local_stack, "resident")
    params = {
        "response_type": "code",
        "client_id": local_stack.oidc.web_config()["resident"]["clientId"],
        "redirect_uri": local_stack.url + CALLBACK_PATH,
        "scope": "openid",
        "state": "s1",
        **pkce,
    }
    response = requests.post(
        meta["authorization_endpoint"], params=params, data={"user": "resident-1"}, allow_redirects=False, timeout=10
    )
    assert response.status_code == 302
    query = parse_qs(urlsplit(response.headers["Location"]).query)
    assert query["error"] == ["invalid_request"] and "code" not in query


def test_unregistered_redirect_uri_gets_a_page_not_a_redirect(local_stack):
    meta = discovery(local_stack, "resident")
    session = OAuth2Session(
        local_stack.oidc.web_config()["resident"]["clientId"],
        redirect_uri="https://evil.example/signin/",
        scope="openid",
        code_challenge_method="S256",
    )
    url, _ = session.create_authorization_url(meta["authorization_endpoint"], code_verifier=generate_token(48))
    response = requests.post(url, data={"user": "resident-1"}, allow_redirects=False, timeout=10)
    assert response.status_code == 400
    assert "Location" not in response.headers


def test_a_code_works_once_and_its_replay_revokes_what_it_issued(local_stack):
    session, verifier, callback = authorize(local_stack, "resident", {"user": "resident-1"})
    token_endpoint = discovery(local_stack, "resident")["token_endpoint"]
    first = session.fetch_token(token_endpoint, authorization_response=callback, code_verifier=verifier)
    code = parse_qs(urlsplit(callback).query)["code"][0]
    exchange = {
        "grant_type": "authorization_code",
        "code": code,
        "client_id": session.client_id,
        "redirect_uri": local_stack.url + CALLBACK_PATH,
        "code_verifier": verifier,
    }
    replay = requests.post(token_endpoint, data=exchange, timeout=10)
    assert replay.status_code == 400
    assert replay.json()["error"] == "invalid_grant"
    refresh = {"grant_type": "refresh_token", "refresh_token": first["refresh_token"], "client_id": session.client_id}
    assert requests.post(token_endpoint, data=refresh, timeout=10).status_code == 400


def test_refresh_gives_a_new_id_token_the_api_accepts(local_stack, stack_url):
    token = sign_in(local_stack, "resident-pt")
    session = client(local_stack, "resident")
    refreshed = session.refresh_token(
        discovery(local_stack, "resident")["token_endpoint"], refresh_token=token["refresh_token"]
    )
    assert refreshed["id_token"] and refreshed["access_token"] != token["access_token"]
    before, after = (jwt.decode(t["id_token"], options={"verify_signature": False}) for t in (token, refreshed))
    assert after["auth_time"] == before["auth_time"] and after["sub"] == before["sub"]  # what clients check
    assert me(stack_url, refreshed["id_token"]).json()["sub"] == "resident-pt"
    # Another pool's client is not known to this pool
    response = requests.post(
        discovery(local_stack, "resident")["token_endpoint"],
        data={
            "grant_type": "refresh_token",
            "refresh_token": token["refresh_token"],
            "client_id": local_stack.oidc.web_config()["staff"]["clientId"],
        },
        timeout=10,
    )
    assert response.status_code in (400, 401)
    assert response.json()["error"] == "invalid_client"


def test_staff_must_give_password_and_current_totp_code(local_stack, stack_url):
    meta = discovery(local_stack, "staff")
    session, verifier = client(local_stack, "staff"), generate_token(48)
    url, _ = session.create_authorization_url(meta["authorization_endpoint"], code_verifier=verifier)
    page = requests.get(url, timeout=10).text
    assert 'name="password"' in page and 'name="otp"' in page
    for form in (
        {"user": "staff-hoken"},
        {"user": "staff-hoken", "password": STAFF_PASSWORD, "otp": "000000"},
        {"user": "staff-hoken", "password": "wrong", "otp": staff_totp().now()},
    ):
        refused = requests.post(url, data=form, allow_redirects=False, timeout=10)
        assert refused.status_code == 401 and 'role="alert"' in refused.text
    token = sign_in(local_stack, "staff-hoken", "staff", password=STAFF_PASSWORD, otp=staff_totp().now())
    claims = jwt.decode(token["id_token"], options={"verify_signature": False})
    assert claims["amr"] == ["pwd", "otp"]
    assert me(stack_url, token["id_token"]).json() == {
        "sub": "staff-hoken",
        "role": "staff",
        "department": "hoken",
        "device_kind": None,
        "device_id": None,
    }


def test_a_pool_signs_in_only_its_own_users(local_stack):
    meta = discovery(local_stack, "resident")
    url, _ = client(local_stack, "resident").create_authorization_url(
        meta["authorization_endpoint"], code_verifier=generate_token(48)
    )
    response = requests.post(url, data={"user": "staff-zei"}, allow_redirects=False, timeout=10)
    assert response.status_code == 400


def test_expired_token_is_refused(local_stack, stack_url):
    assert me(stack_url, local_stack.oidc.issue("resident-1", lifetime=-10)).status_code == 401


def test_token_of_one_pool_passed_off_as_another_is_refused(local_stack, stack_url):
    resident = local_stack.oidc.pools["resident"]
    staff = local_stack.oidc.pools["staff"]
    claims = jwt.decode(local_stack.oidc.issue("resident-1"), options={"verify_signature": False})
    # signed with the resident pool's key but claiming the staff pool's issuer and client
    forged = jwt.encode(
        {**claims, "iss": staff.issuer, "aud": staff.client.client_id, "role": "staff"},
        resident.key.as_pem(private=True),
        algorithm="RS256",
        headers={"kid": resident.kid},
    )
    assert me(stack_url, forged).status_code == 401
    # right key and issuer, but for another client, or an access token
    for override in ({"aud": "someone-elses-client"}, {"token_use": "access"}):
        other = jwt.encode(
            {**claims, **override}, resident.key.as_pem(private=True), algorithm="RS256", headers={"kid": resident.kid}
        )
        assert me(stack_url, other).status_code == 401


def test_sign_out_returns_only_to_the_site(local_stack):
    config = local_stack.oidc.web_config()["resident"]
    ok = requests.get(
        config["signOutUrl"],
        params={"client_id": config["clientId"], "logout_uri": local_stack.url + "/"},
        allow_redirects=False,
        timeout=10,
    )
    assert ok.status_code == 302 and ok.headers["Location"] == local_stack.url + "/"
    bad = requests.get(
        config["signOutUrl"],
        params={"client_id": config["clientId"], "logout_uri": "https://evil.example/"},
        allow_redirects=False,
        timeout=10,
    )
    assert bad.status_code == 400 and "Location" not in bad.headers

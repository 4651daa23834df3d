"""LINE Login linking with in-memory ports: the ID token checks (pure) and the service's rules (state once, for the
resident who started it, nonce and PKCE verifier kept server-side; nothing linked on any failure)."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import jwt
import pytest

from madoguchi.messaging import service as linking
from madoguchi.messaging.id_token import IdTokenInvalid, verify_id_token
from madoguchi.messaging.models import LinkCallback
from madoguchi.shared import public_origin
from madoguchi.shared.auth import Caller, Role
from madoguchi.shared.errors import Forbidden, Unauthorized
from madoguchi.shared.settings import settings
from tests.fakes.messaging import FakeLineLogin, MemoryLineLinkStore

NOW = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)
SECRET = "channel-secret-of-the-city-0123456789"
CHANNEL = "1650000001"
USER = "U" + "ab" * 16
RESIDENT = Caller(sub="resident-a", role=Role.RESIDENT)
OTHER = Caller(sub="resident-b", role=Role.RESIDENT)


@pytest.fixture(autouse=True)
def site(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("SITE_URL", "https://city.example")
    settings.cache_clear()
    yield
    settings.cache_clear()


def claims(**changes: Any) -> dict[str, Any]:
    base = {
        "iss": "https://access.line.me",
        "sub": USER,
        "aud": CHANNEL,
        "exp": int((NOW + timedelta(hours=1)).timestamp()),
        "iat": int(NOW.timestamp()),
        "nonce": "the-nonce",
    }
    return {k: v for k, v in {**base, **changes}.items() if v is not None}


def sign(payload: dict[str, Any], key: str = SECRET, alg: str = "HS256") -> str:
    return jwt.encode(payload, key, algorithm=alg)


def verify(token: str, nonce: str = "the-nonce") -> str:
    return verify_id_token(token, channel_id=CHANNEL, channel_secret=SECRET, nonce=nonce, now=NOW)


# --- the ID token --------------------------------------------------------------------------------------------------
def test_a_valid_id_token_gives_the_line_user_id():
    assert verify(sign(claims())) == USER


@pytest.mark.parametrize(
    ("token", "reason"),
    [
        (sign(claims(), key="another-channel-secret-0123456789ab"), "signature"),
        (sign(claims(aud="1650009999")), "audience"),
        (sign(claims(iss="https://access.line.me.evil.example")), "issuer"),
        (sign(claims(exp=int(NOW.timestamp()))), "expired"),
        (sign(claims(exp=int((NOW - timedelta(minutes=1)).timestamp()))), "expired"),
        (sign(claims(nonce="another-nonce")), "nonce"),
        (sign(claims(nonce=None)), "malformed"),
        (sign(claims(sub="U123")), "subject"),
        (sign(claims(), key=SECRET, alg="HS512"), "malformed"),
        (jwt.encode(claims(), None, algorithm="none"), "malformed"),
        ("not.a.jwt", "malformed"),
    ],
    ids=[
        "forged",
        "audience",
        "issuer",
        "expires-now",
        "expired",
        "nonce",
        "no-nonce",
        "subject",
        "hs512",
        "none",
        "junk",
    ],
)
def test_an_id_token_that_must_not_be_trusted_is_refused(token: str, reason: str):
    with pytest.raises(IdTokenInvalid) as refused:
        verify(token)
    assert refused.value.reason == reason


# --- the service ---------------------------------------------------------------------------------------------------
@pytest.fixture
def deps() -> linking.LinkDeps:
    return linking.LinkDeps(store=MemoryLineLinkStore(), login=FakeLineLogin(CHANNEL, SECRET))


def begin(deps: linking.LinkDeps, caller: Caller = RESIDENT) -> dict[str, str]:
    """Start linking, and play LINE: issue a code bound to the PKCE challenge, return what comes back."""
    url = linking.start_link(caller, deps, NOW).authorize_url
    query = {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
    assert isinstance(deps.store, MemoryLineLinkStore) and isinstance(deps.login, FakeLineLogin)
    pending = deps.store.pending[query["state"]]
    expected = base64.urlsafe_b64encode(hashlib.sha256(pending.code_verifier.encode()).digest()).rstrip(b"=")
    assert query["code_challenge"] == expected.decode() and query["code_challenge_method"] == "S256"
    assert query["redirect_uri"] == "https://city.example/line-link/"
    assert query["scope"] == "openid" and query["nonce"] == pending.nonce
    code = f"code-{query['state'][:8]}"
    deps.login.codes[code] = pending.code_verifier
    deps.login.id_token = sign(claims(nonce=pending.nonce))
    return {"code": code, "state": query["state"]}


def test_linking_stores_the_verified_user_id_once(deps: linking.LinkDeps):
    back = begin(deps)
    status = linking.finish_link(LinkCallback(**back), RESIDENT, deps, NOW)
    assert status.linked and deps.store.get_link(RESIDENT.sub).line_user_id == USER  # type: ignore[union-attr]
    assert linking.linked_line_user(RESIDENT.sub, deps.store) == USER
    # the same callback again finds no authorisation in progress
    with pytest.raises(linking.LineLinkStateInvalid):
        linking.finish_link(LinkCallback(**back), RESIDENT, deps, NOW)


def test_another_residents_state_is_refused_and_links_nobody(deps: linking.LinkDeps):
    back = begin(deps, RESIDENT)
    with pytest.raises(linking.LineLinkStateInvalid):
        linking.finish_link(LinkCallback(**back), OTHER, deps, NOW)
    assert deps.store.get_link(OTHER.sub) is None and deps.store.get_link(RESIDENT.sub) is None


def test_an_expired_authorisation_is_refused(deps: linking.LinkDeps):
    back = begin(deps)
    with pytest.raises(linking.LineLinkStateInvalid):
        linking.finish_link(LinkCallback(**back), RESIDENT, deps, NOW + timedelta(minutes=linking.PENDING_MINUTES))
    assert deps.store.get_link(RESIDENT.sub) is None


def test_an_id_token_for_another_authorisations_nonce_is_refused(deps: linking.LinkDeps):
    first = begin(deps)
    token_of_first = deps.login.id_token  # type: ignore[attr-defined]
    second = begin(deps)
    deps.login.id_token = token_of_first  # type: ignore[attr-defined]
    with pytest.raises(linking.LineLinkRefused):
        linking.finish_link(LinkCallback(**second), RESIDENT, deps, NOW)
    assert deps.store.get_link(RESIDENT.sub) is None
    assert first["state"] in deps.store.pending  # type: ignore[attr-defined]


def test_a_wrong_code_or_verifier_and_an_unreachable_line_link_nothing(deps: linking.LinkDeps):
    back = begin(deps)
    with pytest.raises(linking.LineLinkRefused):
        linking.finish_link(LinkCallback(code="guessed", state=back["state"]), RESIDENT, deps, NOW)
    back = begin(deps)
    deps.login.unavailable = True  # type: ignore[attr-defined]
    with pytest.raises(linking.LineUnavailable):
        linking.finish_link(LinkCallback(**back), RESIDENT, deps, NOW)
    assert deps.store.get_link(RESIDENT.sub) is None


def test_only_residents_link(deps: linking.LinkDeps):
    with pytest.raises(Unauthorized):
        linking.start_link(None, deps, NOW)
    for caller in (Caller(sub="s", role=Role.STAFF, department="shimin"), Caller(sub="d", role=Role.DEVICE)):
        with pytest.raises(Forbidden):
            linking.start_link(caller, deps, NOW)
        with pytest.raises(Forbidden):
            linking.unlink(caller, deps)


def test_unlink_forgets_the_account_and_is_idempotent(deps: linking.LinkDeps):
    linking.finish_link(LinkCallback(**begin(deps)), RESIDENT, deps, NOW)
    assert not linking.unlink(RESIDENT, deps).linked
    assert not linking.unlink(RESIDENT, deps).linked
    assert not linking.status(RESIDENT, deps).linked


# --- the site's address from the deployment's parameter ---------------------------------------------------------
@pytest.fixture
def parameter(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Any]]:
    from aws_lambda_powertools.utilities import parameters

    store: dict[str, Any] = {"reads": 0}

    def get_parameter(name: str, **_: Any) -> str:
        store["reads"] += 1
        if name not in store:
            raise parameters.exceptions.GetParameterError("ParameterNotFound")
        return str(store[name])

    monkeypatch.setattr(parameters, "get_parameter", get_parameter)
    monkeypatch.delenv("SITE_URL")
    monkeypatch.setenv("SITE_URL_PARAMETER", "/madoguchi/site-url")
    settings.cache_clear()
    public_origin._from_parameter.clear()
    yield store
    public_origin._from_parameter.clear()


def test_without_site_url_the_deployments_parameter_is_read_once(parameter: dict[str, Any]):
    parameter["/madoguchi/site-url"] = "https://d111111abcdef8.cloudfront.net"
    assert public_origin.site_link("/ticket/") == "https://d111111abcdef8.cloudfront.net/ticket/"
    assert public_origin.site_origin() == "https://d111111abcdef8.cloudfront.net"
    assert parameter["reads"] == 1


def test_a_missing_or_bad_parameter_is_a_deployment_fault_not_cached(parameter: dict[str, Any]):
    with pytest.raises(public_origin.SiteNotConfigured):
        public_origin.site_origin()
    parameter["/madoguchi/site-url"] = "javascript:alert(1)"
    with pytest.raises(public_origin.SiteNotConfigured):
        public_origin.site_origin()
    parameter["/madoguchi/site-url"] = "https://madoguchi.city.example.jp"
    assert public_origin.site_origin() == "https://madoguchi.city.example.jp"


def test_site_url_wins_over_the_parameter(parameter: dict[str, Any], monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("SITE_URL", "https://madoguchi.city.example.jp")
    settings.cache_clear()
    assert public_origin.site_origin() == "https://madoguchi.city.example.jp"
    assert parameter["reads"] == 0

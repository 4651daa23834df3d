"""The kiosk API through the local gateway: an enrolled kiosk opens a session, a My Number card answers its
challenge once. The card's key signs directly here (the PC/SC path to the same signature is tests/devices); the
trusted CA and CRL are the local stack's test JPKI, configured in the `jpki` bucket as a city's are."""

from __future__ import annotations

import base64
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
import requests
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.serialization import Encoding

from infra import catalogue
from infra.local.jpki import Card, LocalJpki

RESIDENT_1 = {
    "name": "市民 一郎",
    "address": "三重県四日市市諏訪町1番5号",
    "date_of_birth": "1985-04-12",
    "sex": "male",
}


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class Kiosk:
    def __init__(self, url: str, headers: dict[str, str]) -> None:
        self.url = url
        self.headers = headers

    def start(self) -> dict[str, Any]:
        response = requests.post(f"{self.url}/kiosk/sessions", headers=self.headers, timeout=30)
        assert response.status_code == 200, response.text
        return dict(response.json())

    def answer(
        self,
        session: dict[str, Any],
        card: Card,
        *,
        four: dict[str, str] = RESIDENT_1,
        lang: str = "en",
        **override: str,
    ) -> requests.Response:
        challenge = unb64url(session["challenge"])
        body = {
            "signature": b64url(card.key.sign(challenge, padding.PKCS1v15(), hashes.SHA256())),
            "certificate": b64url(card.certificate.public_bytes(Encoding.DER)),
            "basic_four": four,
            **override,
        }
        return requests.post(
            f"{self.url}/kiosk/sessions/{session['session_id']}/authenticate?lang={lang}",
            json=body,
            headers=self.headers,
            timeout=30,
        )


@pytest.fixture(scope="module")
def kiosk(stack_url: str, auth_header: Any) -> Kiosk:
    return Kiosk(stack_url, auth_header("kiosk-1"))


@pytest.fixture(scope="module")
def jpki(local_stack: Any) -> LocalJpki:
    return local_stack.jpki  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def card(jpki: LocalJpki) -> Card:
    return jpki.issue()


def test_a_retried_start_with_the_same_key_is_the_same_session_until_the_card_answers(kiosk: Kiosk, card: Card) -> None:
    def start(key: str) -> requests.Response:
        headers = {**kiosk.headers, "Idempotency-Key": key}
        return requests.post(f"{kiosk.url}/kiosk/sessions", headers=headers, timeout=30)

    key = uuid.uuid4().hex
    first, again = start(key), start(key)
    assert first.status_code == again.status_code == 200, again.text
    assert again.json() == first.json()
    assert kiosk.answer(first.json(), card).status_code == 200
    late = start(key)
    assert late.status_code == 409 and late.json()["code"] == "conflict"


def test_resident_1_authenticates_with_a_genuine_card(kiosk: Kiosk, card: Card) -> None:
    session = kiosk.start()
    assert len(unb64url(session["challenge"])) == 32
    response = kiosk.answer(session, card)
    assert response.status_code == 200, response.text
    assert response.json()["state"] == "authenticated"
    assert response.json()["session_id"] == session["session_id"]


def test_a_replayed_answer_is_refused_and_only_one_of_many_concurrent_wins(kiosk: Kiosk, card: Card) -> None:
    session = kiosk.start()
    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = sorted(pool.map(lambda _: kiosk.answer(session, card).status_code, range(8)))
    assert statuses == [200] + [409] * 7
    replay = kiosk.answer(session, card)
    assert (replay.status_code, replay.json()["code"]) == (409, "kiosk_challenge_used")
    assert replay.json()["message"] == "This card check was already used. Please start again."


def test_a_forged_signature_is_refused_and_spends_the_challenge(kiosk: Kiosk, jpki: LocalJpki, card: Card) -> None:
    session = kiosk.start()
    impostor = jpki.issue()  # a genuine certificate, but the signature comes from another key
    forged = kiosk.answer(session, impostor, certificate=b64url(card.certificate.public_bytes(Encoding.DER)), lang="ja")
    assert (forged.status_code, forged.json()["code"]) == (403, "kiosk_card_refused")
    assert "電子証明書を確認できませんでした" in forged.json()["message"]
    assert kiosk.answer(session, card).json()["code"] == "kiosk_challenge_used"  # no second try on this challenge


def test_a_certificate_from_another_ca_is_refused(kiosk: Kiosk) -> None:
    stranger_ca = LocalJpki()  # same name and shape as the configured CA, another key
    response = kiosk.answer(kiosk.start(), stranger_ca.issue(), lang="pt")
    assert (response.status_code, response.json()["code"]) == (403, "kiosk_card_refused")
    assert response.json()["message"].startswith("Não foi possível verificar o certificado")


def test_a_revoked_certificate_is_refused(kiosk: Kiosk, jpki: LocalJpki) -> None:
    response = kiosk.answer(kiosk.start(), jpki.revoked)
    assert (response.status_code, response.json()["code"]) == (403, "kiosk_card_refused")


def test_a_genuine_card_whose_four_items_match_no_resident_is_refused(kiosk: Kiosk, card: Card) -> None:
    moved = {**RESIDENT_1, "address": "三重県四日市市諏訪町2番1号"}
    response = kiosk.answer(kiosk.start(), card, four=moved, lang="ja-easy")
    assert (response.status_code, response.json()["code"]) == (403, "kiosk_resident_not_matched")
    assert response.json()["message"] == "カードの じょうほうが しの きろくと あいません。まどぐちで きいて ください。"
    # written differently (full-width digits, no space) but the same record: matched
    written = {**RESIDENT_1, "name": "市民一郎", "address": "三重県四日市市諏訪町１番５号"}
    assert kiosk.answer(kiosk.start(), card, four=written).status_code == 200


def test_an_expired_challenge_is_refused(kiosk: Kiosk, card: Card) -> None:
    session = kiosk.start()
    # Three minutes pass (the challenge lasts two): the stored session is aged rather than the test waiting
    past = datetime.now(UTC) - timedelta(minutes=3)
    boto3.resource("dynamodb").Table(catalogue.table("kiosk").local_name).update_item(
        Key={"pk": f"SESSION#{session['session_id']}", "sk": "SESSION"},
        UpdateExpression="SET challenge_expires_epoch = :epoch, challenge_expires_at = :at",
        ExpressionAttributeValues={":epoch": int(past.timestamp()), ":at": past.isoformat()},
    )
    response = kiosk.answer(session, card)
    assert (response.status_code, response.json()["code"]) == (401, "kiosk_challenge_expired")
    assert response.json()["message"] == "Time ran out. Please insert your card again and start over."


@pytest.mark.parametrize(
    ("user", "status"), [(None, 401), ("resident-1", 403), ("staff-shimin", 403), ("ticket-1", 403)]
)
def test_only_enrolled_kiosks_may_call(
    stack_url: str, auth_header: Any, kiosk: Kiosk, card: Card, user: str | None, status: int
) -> None:
    headers = auth_header(user) if user else {}
    assert requests.post(f"{stack_url}/kiosk/sessions", headers=headers, timeout=30).status_code == status
    session = kiosk.start()
    other = Kiosk(stack_url, headers).answer(session, card)
    assert other.status_code == status
    assert kiosk.answer(session, card).status_code == 200  # the kiosk's own session was not touched


def test_crafted_requests_get_clear_4xx(kiosk: Kiosk, card: Card, stack_url: str, auth_header: Any) -> None:
    session = kiosk.start()
    bad = kiosk.answer(session, card, signature="not*base64")
    assert (bad.status_code, bad.json()["code"]) == (422, "validation_error")
    unknown = dict(session, session_id="x" * 3000)
    assert kiosk.answer(unknown, card).status_code == 404
    assert kiosk.answer(dict(session, session_id="A" * 22), card).status_code == 404
    missing = requests.post(
        f"{stack_url}/kiosk/sessions/{session['session_id']}/authenticate",
        json={"signature": "AA"},
        headers=kiosk.headers,
        timeout=30,
    )
    assert missing.status_code == 422
    # none of that spent the challenge
    assert kiosk.answer(session, card).status_code == 200

"""Kiosk sessions: a genuine card of a resident authenticates once; everything else is refused cleanly."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.serialization import Encoding

from madoguchi.kiosk import service
from madoguchi.kiosk.jpki import JpkiTrust
from madoguchi.kiosk.matching import FourItems
from madoguchi.kiosk.models import (
    AuthenticateRequest,
    CardRefused,
    ChallengeExpired,
    ChallengeUsed,
    ResidentNotMatched,
    b64url_decode,
    b64url_encode,
)
from madoguchi.shared.auth import Caller, DeviceKind, Role
from madoguchi.shared.errors import Conflict, Forbidden, InvalidInput, NotFound, Unauthorized
from tests.devices.pki import Issued, TestCa
from tests.fakes.kiosk import MemoryKioskSessions, MemoryResidentDirectory, StaticTrust

SEED = Path(__file__).resolve().parents[2] / "infra" / "seed" / "residents.json"
KIOSK = Caller(sub="kiosk-1", role=Role.DEVICE, device_kind=DeviceKind.KIOSK)
OTHER_KIOSK = Caller(sub="kiosk-2", role=Role.DEVICE, device_kind=DeviceKind.KIOSK)
RESIDENT_1 = {
    "name": "市民 一郎",
    "address": "三重県四日市市諏訪町1番5号",
    "date_of_birth": "1985-04-12",
    "sex": "male",
}


@pytest.fixture(scope="module")
def ca() -> TestCa:
    return TestCa()


@pytest.fixture(scope="module")
def card(ca: TestCa) -> Issued:
    return ca.issue(holder="resident-1")


@pytest.fixture
def deps(ca: TestCa) -> service.KioskDeps:
    records = {
        r["id"]: FourItems(r["name"], r["address"], r["date_of_birth"], r["sex"])
        for r in json.loads(SEED.read_text(encoding="utf-8"))
    }
    trust = JpkiTrust.from_pem(ca.certificate.public_bytes(Encoding.PEM), [ca.crl().public_bytes(Encoding.DER)])
    return service.KioskDeps(
        sessions=MemoryKioskSessions(), residents=MemoryResidentDirectory(records), trust=StaticTrust(trust)
    )


def card_answer(card: Issued, challenge: str, four: dict[str, str] = RESIDENT_1) -> AuthenticateRequest:
    raw = b64url_decode(challenge) or b""
    return AuthenticateRequest.model_validate(
        {
            "signature": b64url_encode(card.key.sign(raw, padding.PKCS1v15(), hashes.SHA256())),
            "certificate": b64url_encode(card.certificate.public_bytes(Encoding.DER)),
            "basic_four": four,
        }
    )


def test_resident_1_authenticates_with_her_card(deps: service.KioskDeps, ca: TestCa, card: Issued) -> None:
    started = service.start_session(KIOSK, deps, ca.now)
    done = service.authenticate(started.session_id, card_answer(card, started.challenge), KIOSK, deps, ca.now)
    assert done.state == "authenticated"
    stored = deps.sessions.get(started.session_id)
    assert stored is not None and stored.resident_id == "resident-1"
    assert stored.certificate_fingerprint == card.certificate.fingerprint(hashes.SHA256()).hex()
    assert "市民" not in stored.model_dump_json()  # the four items are not kept


def test_only_an_enrolled_kiosk_may_open_a_session(deps: service.KioskDeps, ca: TestCa) -> None:
    with pytest.raises(Unauthorized):
        service.start_session(None, deps, ca.now)
    for caller in (
        Caller(sub="resident-1", role=Role.RESIDENT),
        Caller(sub="staff-shimin", role=Role.STAFF, department="shimin"),
        Caller(sub="ticket-1", role=Role.DEVICE, device_kind=DeviceKind.TICKET_MACHINE),
    ):
        with pytest.raises(Forbidden):
            service.start_session(caller, deps, ca.now)


def test_a_retried_start_with_the_same_key_is_the_same_session_while_its_challenge_waits(
    deps: service.KioskDeps, ca: TestCa, card: Issued
) -> None:
    first = service.start_session(KIOSK, deps, ca.now, idempotency_key="s1")
    again = service.start_session(KIOSK, deps, ca.now + timedelta(seconds=5), idempotency_key="s1")
    assert again == first
    assert isinstance(deps.sessions, MemoryKioskSessions) and list(deps.sessions.sessions) == [first.session_id]
    # Another kiosk with the same key, or no key, opens its own session
    kiosk_2 = Caller(sub="kiosk-2", role=Role.DEVICE, device_kind=DeviceKind.KIOSK)
    assert service.start_session(kiosk_2, deps, ca.now, idempotency_key="s1").session_id != first.session_id
    assert service.start_session(KIOSK, deps, ca.now).session_id != first.session_id
    # Once the card has answered, or the challenge has expired, the same key is refused and changes nothing
    service.authenticate(first.session_id, card_answer(card, first.challenge), KIOSK, deps, ca.now)
    answered = deps.sessions.get(first.session_id)
    with pytest.raises(Conflict):
        service.start_session(KIOSK, deps, ca.now, idempotency_key="s1")
    assert deps.sessions.get(first.session_id) == answered
    waiting = service.start_session(KIOSK, deps, ca.now, idempotency_key="s2")
    with pytest.raises(Conflict):
        service.start_session(KIOSK, deps, waiting.challenge_expires_at + timedelta(seconds=1), idempotency_key="s2")


def test_a_replayed_answer_is_refused_and_changes_nothing(deps: service.KioskDeps, ca: TestCa, card: Issued) -> None:
    started = service.start_session(KIOSK, deps, ca.now)
    answer = card_answer(card, started.challenge)
    service.authenticate(started.session_id, answer, KIOSK, deps, ca.now)
    before = deps.sessions.get(started.session_id)
    with pytest.raises(ChallengeUsed):
        service.authenticate(started.session_id, answer, KIOSK, deps, ca.now)
    assert deps.sessions.get(started.session_id) == before


def test_an_answer_to_another_session_s_challenge_is_refused(deps: service.KioskDeps, ca: TestCa, card: Issued) -> None:
    first = service.start_session(KIOSK, deps, ca.now)
    second = service.start_session(KIOSK, deps, ca.now)
    with pytest.raises(CardRefused) as refused:
        service.authenticate(second.session_id, card_answer(card, first.challenge), KIOSK, deps, ca.now)
    assert refused.value.params == {"reason": "bad_signature"}
    session = deps.sessions.get(second.session_id)
    assert session is not None and session.state == "refused" and session.resident_id is None


def test_a_late_answer_is_refused(deps: service.KioskDeps, ca: TestCa, card: Issued) -> None:
    started = service.start_session(KIOSK, deps, ca.now)
    later = started.challenge_expires_at + timedelta(seconds=1)
    with pytest.raises(ChallengeExpired):
        service.authenticate(started.session_id, card_answer(card, started.challenge), KIOSK, deps, later)


def test_another_kiosk_cannot_use_the_session(deps: service.KioskDeps, ca: TestCa, card: Issued) -> None:
    started = service.start_session(KIOSK, deps, ca.now)
    with pytest.raises(NotFound):
        service.authenticate(started.session_id, card_answer(card, started.challenge), OTHER_KIOSK, deps, ca.now)
    session = deps.sessions.get(started.session_id)
    assert session is not None and session.state == "challenged"  # still usable by its own kiosk


@pytest.mark.parametrize("case", ["other CA", "revoked"])
def test_untrusted_or_revoked_cards_are_refused(deps: service.KioskDeps, ca: TestCa, case: str) -> None:
    if case == "other CA":
        card = TestCa("Some other CA").issue(holder="other")
    else:
        card = ca.issue(holder="lost")
        crl = ca.crl([card.certificate]).public_bytes(Encoding.DER)
        deps = service.KioskDeps(
            deps.sessions,
            deps.residents,
            StaticTrust(JpkiTrust.from_pem(ca.certificate.public_bytes(Encoding.PEM), [crl])),
        )
    started = service.start_session(KIOSK, deps, ca.now)
    with pytest.raises(CardRefused) as refused:
        service.authenticate(started.session_id, card_answer(card, started.challenge), KIOSK, deps, ca.now)
    assert refused.value.params == {"reason": "untrusted" if case == "other CA" else "revoked"}


def test_a_genuine_card_of_nobody_here_is_refused(deps: service.KioskDeps, ca: TestCa) -> None:
    stranger = ca.issue(holder="stranger")
    four = {
        "name": "他市 太郎",
        "address": "愛知県名古屋市中区三の丸3丁目1番1号",
        "date_of_birth": "1970-01-01",
        "sex": "male",
    }
    started = service.start_session(KIOSK, deps, ca.now)
    with pytest.raises(ResidentNotMatched):
        service.authenticate(started.session_id, card_answer(stranger, started.challenge, four), KIOSK, deps, ca.now)


def test_garbage_encodings_are_invalid_input(deps: service.KioskDeps, ca: TestCa, card: Issued) -> None:
    started = service.start_session(KIOSK, deps, ca.now)
    answer = card_answer(card, started.challenge).model_copy(update={"signature": "***"})
    with pytest.raises(InvalidInput):
        service.authenticate(started.session_id, answer, KIOSK, deps, ca.now)
    session = deps.sessions.get(started.session_id)
    assert session is not None and session.state == "challenged"  # nothing spent

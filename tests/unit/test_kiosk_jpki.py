"""JPKI verification of a card's answer: genuine, forged, foreign, revoked, stale and malformed cases."""

from __future__ import annotations

import os
from datetime import timedelta

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.serialization import Encoding

from madoguchi.kiosk.jpki import JpkiRejected, JpkiTrust, verify_card_response
from tests.devices.pki import Issued, TestCa


@pytest.fixture(scope="module")
def ca() -> TestCa:
    return TestCa()


@pytest.fixture(scope="module")
def card(ca: TestCa) -> Issued:
    return ca.issue(holder="resident-1")


def trust_of(ca: TestCa, crl: bytes | None = None) -> JpkiTrust:
    crls = [crl if crl is not None else ca.crl().public_bytes(Encoding.DER)]
    return JpkiTrust.from_pem(ca.certificate.public_bytes(Encoding.PEM), crls)


def sign(key: rsa.RSAPrivateKey, challenge: bytes) -> bytes:
    return key.sign(challenge, padding.PKCS1v15(), hashes.SHA256())


def answer(issued: Issued, challenge: bytes, *, signer: rsa.RSAPrivateKey | None = None) -> dict[str, bytes]:
    return {
        "challenge": challenge,
        "signature": sign(signer or issued.key, challenge),
        "certificate_der": issued.certificate.public_bytes(Encoding.DER),
    }


def rejected(code: str, ca: TestCa, trust: JpkiTrust, **kwargs: bytes) -> None:
    with pytest.raises(JpkiRejected) as refusal:
        verify_card_response(trust=trust, now=ca.now, **kwargs)
    assert refusal.value.code == code


def test_a_genuine_card_answer_is_accepted(ca: TestCa, card: Issued) -> None:
    challenge = os.urandom(32)
    verified = verify_card_response(trust=trust_of(ca), now=ca.now, **answer(card, challenge))
    assert verified.serial_number == card.certificate.serial_number
    assert verified.fingerprint_sha256 == card.certificate.fingerprint(hashes.SHA256()).hex()
    assert "JPKI" in verified.issuer


def test_a_signature_over_another_challenge_is_refused(ca: TestCa, card: Issued) -> None:
    replayed = answer(card, os.urandom(32))
    replayed["challenge"] = os.urandom(32)  # the server's new challenge, answered with an old signature
    rejected("bad_signature", ca, trust_of(ca), **replayed)


def test_a_signature_by_another_key_is_refused(ca: TestCa, card: Issued) -> None:
    forger = ca.issue(holder="forger").key
    rejected("bad_signature", ca, trust_of(ca), **answer(card, os.urandom(32), signer=forger))


def test_a_tampered_signature_is_refused(ca: TestCa, card: Issued) -> None:
    forged = answer(card, os.urandom(32))
    forged["signature"] = bytes([forged["signature"][0] ^ 1]) + forged["signature"][1:]
    rejected("bad_signature", ca, trust_of(ca), **forged)
    forged["signature"] = forged["signature"][:-1]
    rejected("malformed", ca, trust_of(ca), **forged)


def test_a_certificate_from_another_ca_is_refused(ca: TestCa) -> None:
    other = TestCa("Some other CA")
    rejected("untrusted", ca, trust_of(ca), **answer(other.issue(holder="other"), os.urandom(32)))


def test_an_impostor_ca_with_the_same_name_is_refused(ca: TestCa) -> None:
    impostor = TestCa(key_label="impostor")  # same subject as the JPKI CA, its own key
    rejected("untrusted", ca, trust_of(ca), **answer(impostor.issue(holder="fake"), os.urandom(32)))


def test_a_revoked_certificate_is_refused(ca: TestCa) -> None:
    lost = ca.issue(holder="lost card")
    crl = ca.crl([lost.certificate]).public_bytes(Encoding.PEM)
    rejected("revoked", ca, trust_of(ca, crl), **answer(lost, os.urandom(32)))


@pytest.mark.parametrize("crl_case", ["stale", "forged", "other issuer"])
def test_unknown_revocation_status_is_refused(ca: TestCa, card: Issued, crl_case: str) -> None:
    if crl_case == "stale":
        crl = ca.crl(this_update=ca.now - timedelta(days=3), next_update=ca.now - timedelta(days=2))
    elif crl_case == "forged":  # a CRL naming the CA but signed by someone else, e.g. an empty one
        crl = ca.crl(signer=TestCa(key_label="impostor").key)
    else:
        crl = TestCa("Some other CA").crl()
    rejected("revocation_unknown", ca, trust_of(ca, crl.public_bytes(Encoding.DER)), **answer(card, os.urandom(32)))


def test_no_crl_configured_is_refused(ca: TestCa, card: Issued) -> None:
    trust = JpkiTrust.from_pem(ca.certificate.public_bytes(Encoding.PEM), [])
    rejected("revocation_unknown", ca, trust, **answer(card, os.urandom(32)))


def test_validity_dates_are_enforced(ca: TestCa) -> None:
    expired = ca.issue(holder="old", not_before=ca.now - timedelta(days=900), not_after=ca.now - timedelta(days=1))
    rejected("expired", ca, trust_of(ca), **answer(expired, os.urandom(32)))
    future = ca.issue(holder="new", not_before=ca.now + timedelta(days=1))
    rejected("not_yet_valid", ca, trust_of(ca), **answer(future, os.urandom(32)))


def test_the_ca_certificate_itself_is_not_a_card(ca: TestCa) -> None:
    as_card = Issued(key=ca.key, certificate=ca.certificate)
    rejected("not_for_authentication", ca, trust_of(ca), **answer(as_card, os.urandom(32)))


def test_garbage_is_malformed(ca: TestCa) -> None:
    rejected("malformed", ca, trust_of(ca), challenge=os.urandom(32), signature=b"x" * 256, certificate_der=b"junk")


def test_short_challenges_and_naive_times_are_programming_errors(ca: TestCa, card: Issued) -> None:
    with pytest.raises(ValueError):
        verify_card_response(trust=trust_of(ca), now=ca.now, **answer(card, b"short"))
    with pytest.raises(ValueError):
        verify_card_response(trust=trust_of(ca), now=ca.now.replace(tzinfo=None), **answer(card, os.urandom(32)))

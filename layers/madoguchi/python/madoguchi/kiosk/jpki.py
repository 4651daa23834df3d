"""Verifying a My Number card's answer to a challenge: the JPKI user-authentication certificate and signature.

The card signs the challenge with its 利用者証明用 key (RSASSA-PKCS1-v1_5 with SHA-256, see
devices/cardbridge/README.md) and hands over its certificate. Here, with no I/O:
  1. the certificate parses and is within its validity dates at `now`;
  2. it chains to one of the configured JPKI CAs (path validation by `cryptography`'s verifier) and may sign;
  3. the CA's configured CRL is genuine, current at `now`, and does not list it (no CRL, a stale CRL or a CRL
     with a bad signature refuses: revocation unknown is a refusal);
  4. the signature over the challenge verifies with the certificate's key.
Challenge freshness and single use are the API's: it keeps the challenge it issued and passes it in.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.verification import Criticality, ExtensionPolicy, PolicyBuilder, Store, VerificationError

RejectionCode = Literal[
    "malformed",  # not a certificate, or the signature is not an RSA signature of the key's size
    "not_yet_valid",
    "expired",
    "untrusted",  # not issued by a configured JPKI CA (another CA, a self-made certificate, a forged chain)
    "not_for_authentication",  # the key may not sign (key usage), or it is a CA certificate
    "revoked",
    "revocation_unknown",  # no current, genuine CRL for the issuing CA
    "bad_signature",  # the card's key did not sign this challenge
]

MIN_CHALLENGE_BYTES = 16


class JpkiRejected(Exception):
    """The card's answer is refused; code says why (the API turns it into a translated 401/403)."""

    def __init__(self, code: RejectionCode, detail: str) -> None:
        super().__init__(f"{code}: {detail}")
        self.code: RejectionCode = code


@dataclass(frozen=True)
class VerifiedCertificate:
    """What the API may keep about a verified card: identifiers of its certificate, no personal data."""

    serial_number: int
    issuer: str
    not_after: datetime
    fingerprint_sha256: str  # stable id of this card's certificate (audit, one-session-per-card checks)


@dataclass(frozen=True)
class JpkiTrust:
    """The JPKI CAs for user authentication that the city trusts, each with its current CRL."""

    authorities: tuple[x509.Certificate, ...]
    crls: tuple[x509.CertificateRevocationList, ...]

    @classmethod
    def from_pem(cls, ca_certificates: bytes, crls: Sequence[bytes]) -> JpkiTrust:
        """CA certificates as one PEM bundle; each CRL in PEM or DER (J-LIS publishes DER)."""
        authorities = tuple(x509.load_pem_x509_certificates(ca_certificates))
        if not authorities:
            raise ValueError("no JPKI CA certificate configured")
        return cls(authorities=authorities, crls=tuple(_load_crl(crl) for crl in crls))


def verify_card_response(
    *, challenge: bytes, signature: bytes, certificate_der: bytes, trust: JpkiTrust, now: datetime
) -> VerifiedCertificate:
    """The whole check for one authentication: certificate, chain, revocation, then the challenge signature."""
    certificate, verified = verify_certificate(certificate_der, trust, now)
    verify_challenge_signature(certificate, challenge, signature)
    return verified


def verify_certificate(
    certificate_der: bytes, trust: JpkiTrust, now: datetime
) -> tuple[x509.Certificate, VerifiedCertificate]:
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    try:
        certificate = x509.load_der_x509_certificate(certificate_der)
    except ValueError as error:
        raise JpkiRejected("malformed", "the certificate does not parse") from error
    if now < certificate.not_valid_before_utc:
        raise JpkiRejected("not_yet_valid", f"valid from {certificate.not_valid_before_utc.isoformat()}")
    if now > certificate.not_valid_after_utc:
        raise JpkiRejected("expired", f"expired at {certificate.not_valid_after_utc.isoformat()}")
    issuer = _verified_issuer(certificate, trust, now)
    _check_usage(certificate)
    _check_revocation(certificate, issuer, trust, now)
    return certificate, VerifiedCertificate(
        serial_number=certificate.serial_number,
        issuer=certificate.issuer.rfc4514_string(),
        not_after=certificate.not_valid_after_utc,
        fingerprint_sha256=certificate.fingerprint(hashes.SHA256()).hex(),
    )


def verify_challenge_signature(certificate: x509.Certificate, challenge: bytes, signature: bytes) -> None:
    if len(challenge) < MIN_CHALLENGE_BYTES:
        raise ValueError("a challenge has at least 16 random bytes")
    key = certificate.public_key()
    if not isinstance(key, rsa.RSAPublicKey):
        raise JpkiRejected("malformed", "the JPKI user-authentication key is RSA")
    if len(signature) != (key.key_size + 7) // 8:
        raise JpkiRejected("malformed", "the signature does not have the key's size")
    try:
        key.verify(signature, challenge, padding.PKCS1v15(), hashes.SHA256())
    except InvalidSignature as error:
        raise JpkiRejected("bad_signature", "the signature does not match the challenge") from error


def _verified_issuer(certificate: x509.Certificate, trust: JpkiTrust, now: datetime) -> x509.Certificate:
    """Path validation to a configured CA, with the extension checks JPKI certificates can meet."""
    ca_policy = ExtensionPolicy.permit_all().require_present(x509.BasicConstraints, Criticality.AGNOSTIC, _is_ca)
    verifier = (
        PolicyBuilder()
        .store(Store(list(trust.authorities)))
        .time(now)
        .max_chain_depth(1)  # JPKI issues user certificates directly from its CA
        .extension_policies(ca_policy=ca_policy, ee_policy=ExtensionPolicy.permit_all())
        .build_client_verifier()
    )
    try:
        chain = verifier.verify(certificate, [])
    except VerificationError as error:
        raise JpkiRejected("untrusted", "the certificate does not chain to a configured JPKI CA") from error
    return chain.chain[-1]


def _is_ca(_policy: object, _certificate: x509.Certificate, extension: x509.BasicConstraints | None) -> None:
    if extension is None or not extension.ca:
        raise ValueError("the issuer is not a CA")


def _check_usage(certificate: x509.Certificate) -> None:
    try:
        constraints = certificate.extensions.get_extension_for_class(x509.BasicConstraints).value
    except x509.ExtensionNotFound:
        constraints = None
    if constraints is not None and constraints.ca:
        raise JpkiRejected("not_for_authentication", "a CA certificate is not a card")
    try:
        usage = certificate.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound as error:
        raise JpkiRejected("not_for_authentication", "the certificate has no key usage") from error
    if not usage.digital_signature:
        raise JpkiRejected("not_for_authentication", "the key may not sign")


def _check_revocation(certificate: x509.Certificate, issuer: x509.Certificate, trust: JpkiTrust, now: datetime) -> None:
    issuer_key = issuer.public_key()
    if not isinstance(issuer_key, rsa.RSAPublicKey):
        raise JpkiRejected("revocation_unknown", "the JPKI CA key is RSA")
    current = [
        crl
        for crl in trust.crls
        if crl.issuer == issuer.subject
        and crl.is_signature_valid(issuer_key)
        and crl.last_update_utc <= now
        and crl.next_update_utc is not None
        and now <= crl.next_update_utc
    ]
    if not current:
        raise JpkiRejected("revocation_unknown", "no current CRL of the issuing CA is configured")
    for crl in current:
        if crl.get_revoked_certificate_by_serial_number(certificate.serial_number) is not None:
            raise JpkiRejected("revoked", f"serial {certificate.serial_number:x} is on the CRL")


def _load_crl(data: bytes) -> x509.CertificateRevocationList:
    if data.lstrip().startswith(b"-----BEGIN"):
        return x509.load_pem_x509_crl(data)
    return x509.load_der_x509_crl(data)

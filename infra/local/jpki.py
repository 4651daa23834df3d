"""The local stack's stand-in for J-LIS: a test JPKI CA made at start, its CRL, and cards it issues.

The CA certificate and CRL go into the `jpki` bucket exactly where a city uploads the real ones
(docs/operations.md, "JPKI trust"); the kiosk function reads them through the same adapter as in the cloud. The
key lives in this process's memory only: nothing here is, or can become, a production key. One card is issued
and revoked at start (the CRL lists it), so a revoked card can be presented without waiting for a new CRL.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.oid import NameOID

JPKI_USER_AUTH_POLICY = x509.ObjectIdentifier("1.2.392.200149.8.5.1.3.30")
CA_NAME = x509.Name(
    [
        x509.NameAttribute(NameOID.COUNTRY_NAME, "JP"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "JPKI"),
        x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, "Madoguchi local test CA for user authentication"),
    ]
)


@dataclass(frozen=True)
class Card:
    key: rsa.RSAPrivateKey
    certificate: x509.Certificate


def _new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@dataclass
class LocalJpki:
    now: datetime = field(default_factory=lambda: datetime.now(UTC))
    key: rsa.RSAPrivateKey = field(default_factory=_new_key)
    certificate: x509.Certificate = field(init=False)
    revoked: Card = field(init=False)

    def __post_init__(self) -> None:
        self.certificate = (
            x509.CertificateBuilder()
            .subject_name(CA_NAME)
            .issuer_name(CA_NAME)
            .public_key(self.key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(self.now - timedelta(days=1))
            .not_valid_after(self.now + timedelta(days=3650))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(self.key.public_key()), critical=False)
            .sign(self.key, hashes.SHA256())
        )
        self.revoked = self.issue()

    def issue(self, key: rsa.RSAPrivateKey | None = None) -> Card:
        """A user-authentication certificate as JPKI issues them: no personal data in the subject."""
        key = key or _new_key()
        serial = x509.random_serial_number()
        certificate = (
            x509.CertificateBuilder()
            .subject_name(
                x509.Name(
                    [
                        x509.NameAttribute(NameOID.COUNTRY_NAME, "JP"),
                        x509.NameAttribute(NameOID.COMMON_NAME, f"{serial:X}"[:20]),
                    ]
                )
            )
            .issuer_name(CA_NAME)
            .public_key(key.public_key())
            .serial_number(serial)
            .not_valid_before(self.now - timedelta(days=1))
            .not_valid_after(self.now + timedelta(days=365 * 5))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(True, False, False, False, False, False, False, False, False), critical=True)
            .add_extension(
                x509.CertificatePolicies([x509.PolicyInformation(JPKI_USER_AUTH_POLICY, None)]), critical=False
            )
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(self.key.public_key()), critical=False)
            .sign(self.key, hashes.SHA256())
        )
        return Card(key=key, certificate=certificate)

    def crl(self) -> x509.CertificateRevocationList:
        this_update = self.now - timedelta(minutes=5)
        return (
            x509.CertificateRevocationListBuilder()
            .issuer_name(CA_NAME)
            .last_update(this_update)
            .next_update(this_update + timedelta(days=30))  # outlives any local run
            .add_revoked_certificate(
                x509.RevokedCertificateBuilder()
                .serial_number(self.revoked.certificate.serial_number)
                .revocation_date(this_update)
                .build()
            )
            .sign(self.key, hashes.SHA256())
        )

    def install(self, bucket: str) -> None:
        """Upload the CA certificate and CRL where the deployment's are kept."""
        s3: Any = boto3.client("s3")
        s3.put_object(Bucket=bucket, Key="ca/local-test-ca.pem", Body=self.certificate.public_bytes(Encoding.PEM))
        s3.put_object(Bucket=bucket, Key="crl/local-test-ca.crl", Body=self.crl().public_bytes(Encoding.DER))

"""A test JPKI: a CA for user authentication, user certificates and CRLs, made with `cryptography` at test time.

Shapes follow the JPKI user-authentication profile where it matters to verification: RSA 2048 keys,
sha256WithRSAEncryption, digitalSignature key usage, and a subject that carries no personal data.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

JPKI_USER_AUTH_POLICY = x509.ObjectIdentifier("1.2.392.200149.8.5.1.3.30")


@dataclass(frozen=True)
class Issued:
    key: rsa.RSAPrivateKey
    certificate: x509.Certificate


class TestCa:
    __test__ = False  # not a pytest class

    def __init__(
        self, name: str = "JPKI for user authentication (test)", *, key_label: str = "", now: datetime | None = None
    ) -> None:
        self.now = now or datetime.now(UTC)
        self.key = _key(key_label or name)  # another key_label with the same name: an impostor CA
        subject = x509.Name(
            [
                x509.NameAttribute(NameOID.COUNTRY_NAME, "JP"),
                x509.NameAttribute(NameOID.ORGANIZATION_NAME, "JPKI"),
                x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, name),
            ]
        )
        self.certificate = (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(subject)
            .public_key(self.key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(self.now - timedelta(days=365))
            .not_valid_after(self.now + timedelta(days=3650))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(_ca_key_usage(), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(self.key.public_key()), critical=False)
            .sign(self.key, hashes.SHA256())
        )

    def issue(
        self,
        *,
        holder: str = "user-1",
        not_before: datetime | None = None,
        not_after: datetime | None = None,
        key: rsa.RSAPrivateKey | None = None,
    ) -> Issued:
        key = key or _key(holder)
        certificate = (
            x509.CertificateBuilder()
            .subject_name(
                x509.Name(
                    [
                        x509.NameAttribute(NameOID.COUNTRY_NAME, "JP"),
                        x509.NameAttribute(NameOID.COMMON_NAME, f"{x509.random_serial_number():X}"[:20]),
                    ]
                )
            )
            .issuer_name(self.certificate.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(not_before or self.now - timedelta(days=30))
            .not_valid_after(not_after or self.now + timedelta(days=365 * 5))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(_user_key_usage(), critical=True)
            .add_extension(
                x509.CertificatePolicies([x509.PolicyInformation(JPKI_USER_AUTH_POLICY, None)]), critical=False
            )
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(self.key.public_key()), critical=False)
            .sign(self.key, hashes.SHA256())
        )
        return Issued(key=key, certificate=certificate)

    def crl(
        self,
        revoked: list[x509.Certificate] = (),  # type: ignore[assignment]
        *,
        this_update: datetime | None = None,
        next_update: datetime | None = None,
        signer: rsa.RSAPrivateKey | None = None,
    ) -> x509.CertificateRevocationList:
        this_update = this_update or self.now - timedelta(hours=1)
        builder = (
            x509.CertificateRevocationListBuilder()
            .issuer_name(self.certificate.subject)
            .last_update(this_update)
            .next_update(next_update or this_update + timedelta(days=1))
        )
        for certificate in revoked:
            builder = builder.add_revoked_certificate(
                x509.RevokedCertificateBuilder()
                .serial_number(certificate.serial_number)
                .revocation_date(this_update - timedelta(minutes=1))
                .build()
            )
        return builder.sign(signer or self.key, hashes.SHA256())


@cache
def _key(label: str) -> rsa.RSAPrivateKey:
    """One 2048-bit key per label per test process: generating RSA keys is the slow part."""
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _ca_key_usage() -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=False,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=True,
        crl_sign=True,
        encipher_only=False,
        decipher_only=False,
    )


def _user_key_usage() -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=True,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=False,
        crl_sign=False,
        encipher_only=False,
        decipher_only=False,
    )

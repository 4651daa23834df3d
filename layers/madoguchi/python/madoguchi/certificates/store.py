"""Port of the certificate register."""

from __future__ import annotations

from abc import ABC, abstractmethod

from madoguchi.certificates.models import CertificateAuditEntry, IssuedCertificate


class CertificateRegistry(ABC):
    @abstractmethod
    def register(self, certificate: IssuedCertificate) -> None:
        """Record an issued certificate; registering the same issue number again changes nothing (a retry)."""

    @abstractmethod
    def get(self, issue_number: str) -> IssuedCertificate | None: ...

    @abstractmethod
    def next_serial(self, prefix: str, year: int) -> int:
        """The next issue serial of a channel prefix and year (atomic: never handed out twice)."""

    @abstractmethod
    def revoke(self, issue_number: str, reason: str, audit: CertificateAuditEntry) -> IssuedCertificate:
        """Mark as revoked by `audit.by` at `audit.at` for `reason`, with the audit entry in the same write; once:
        a second revocation keeps the first and writes nothing. Raises NotFound for an unknown number."""

    @abstractmethod
    def audit(self, entry: CertificateAuditEntry) -> None:
        """Record a staff read of an entry."""

    @abstractmethod
    def audit_trail(self, issue_number: str) -> list[CertificateAuditEntry]:
        """Reads and revocations of an entry, oldest first."""

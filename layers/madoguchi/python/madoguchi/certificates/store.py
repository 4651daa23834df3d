"""Port of the certificate register."""

from __future__ import annotations

from abc import ABC, abstractmethod
from datetime import datetime

from madoguchi.certificates.models import IssuedCertificate


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
    def revoke(self, issue_number: str, by: str, at: datetime) -> IssuedCertificate:
        """Mark as revoked (once; a second revocation keeps the first). Raises NotFound for an unknown number."""

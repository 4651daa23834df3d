"""In-memory certificate register, same rules as the DynamoDB adapter."""

from __future__ import annotations

import json
import threading

from infra.seed import SEED_DIR
from infra.seed.kiosk import resident_record
from madoguchi.applications.service import CertificateSources
from madoguchi.certificates.models import CertificateAuditEntry, CertificateNotFound, IssuedCertificate
from madoguchi.certificates.store import CertificateRegistry
from madoguchi.kiosk.matching import FourItems
from tests.fakes.kiosk import MemoryResidentDirectory, MemoryResidentRecords


class MemoryCertificateRegistry(CertificateRegistry):
    def __init__(self) -> None:
        self.certificates: dict[str, IssuedCertificate] = {}
        self.serials: dict[tuple[str, int], int] = {}
        self.audits: list[CertificateAuditEntry] = []
        self._lock = threading.Lock()

    def register(self, certificate: IssuedCertificate) -> None:
        with self._lock:
            self.certificates.setdefault(certificate.issue_number, certificate)

    def get(self, issue_number: str) -> IssuedCertificate | None:
        return self.certificates.get(issue_number)

    def next_serial(self, prefix: str, year: int) -> int:
        with self._lock:
            self.serials[(prefix, year)] = self.serials.get((prefix, year), 0) + 1
            return self.serials[(prefix, year)]

    def revoke(self, issue_number: str, reason: str, audit: CertificateAuditEntry) -> IssuedCertificate:
        with self._lock:
            found = self.certificates.get(issue_number)
            if found is None:
                raise CertificateNotFound()
            if found.revoked_at is None:
                found = found.model_copy(
                    update={"revoked_at": audit.at, "revoked_by": audit.by, "revoked_reason": reason}
                )
                self.certificates[issue_number] = found
                self.audits.append(audit)
            return found

    def audit(self, entry: CertificateAuditEntry) -> None:
        with self._lock:
            self.audits.append(entry)

    def audit_trail(self, issue_number: str) -> list[CertificateAuditEntry]:
        return sorted((a for a in self.audits if a.issue_number == issue_number), key=lambda a: (a.at, a.action))


def certificate_sources(registry: CertificateRegistry | None = None) -> CertificateSources:
    """The demo residents' records (infra/seed/residents.json) as the records port and directory hold them."""
    residents = json.loads((SEED_DIR / "residents.json").read_text(encoding="utf-8"))
    four = {r["id"]: FourItems(r["name"], r["address"], r["date_of_birth"], r["sex"]) for r in residents}
    return CertificateSources(
        records=MemoryResidentRecords({r["id"]: resident_record(r) for r in residents}),
        directory=MemoryResidentDirectory(four),
        registry=registry or MemoryCertificateRegistry(),
    )

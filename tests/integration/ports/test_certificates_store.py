"""One contract for the certificate register, run against the in-memory fake and the DynamoDB adapter (moto,
table from the catalogue): a retry registers nothing new, serials are never handed out twice, revocation once."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from madoguchi.certificates.models import CertificateAuditEntry, CertificateNotFound, IssuedCertificate
from madoguchi.certificates.store import CertificateRegistry
from tests.fakes.certificates import MemoryCertificateRegistry
from tests.integration.ports.emulated_table import emulated_table

NOW = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)


@pytest.fixture(params=["memory", "dynamodb"])
def registry(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[CertificateRegistry]:
    if request.param == "memory":
        yield MemoryCertificateRegistry()
        return
    from madoguchi.certificates.dynamodb import DynamoCertificateRegistry

    with emulated_table(monkeypatch, "certificates") as name:
        yield DynamoCertificateRegistry(name)


def issued(number: str = "A2026-000001", code_sha256: str = "a" * 64) -> IssuedCertificate:
    return IssuedCertificate(
        issue_number=number,
        kind="juminhyo",
        title="住民票の写し",
        department="shimin",
        channel="online",
        issued_at=NOW,
        code_sha256=code_sha256,
        reference="application:app-1",
    )


def test_registered_once_and_read_back(registry: CertificateRegistry) -> None:
    registry.register(issued())
    registry.register(issued(code_sha256="b" * 64))  # a retry under the same number changes nothing
    assert registry.get("A2026-000001") == issued()
    assert registry.get("A2026-000002") is None


def test_serials_count_per_prefix_and_year(registry: CertificateRegistry) -> None:
    assert [registry.next_serial("A", 2026) for _ in range(3)] == [1, 2, 3]
    assert registry.next_serial("A", 2027) == 1 and registry.next_serial("K", 2026) == 1


def audit(action: str, by: str, at: datetime, number: str = "A2026-000001") -> CertificateAuditEntry:
    return CertificateAuditEntry.model_validate(
        {"issue_number": number, "at": at, "action": action, "by": by, "department": "shimin"}
    )


def test_revoked_once_with_its_reason_and_audit_entry_and_unknown_numbers_refused(
    registry: CertificateRegistry,
) -> None:
    registry.register(issued())
    day1, day2 = NOW + timedelta(days=1), NOW + timedelta(days=2)
    first = registry.revoke("A2026-000001", "記載誤り", audit("revoked", "staff-shimin", day1))
    again = registry.revoke("A2026-000001", "another reason", audit("revoked", "staff-other", day2))
    assert first.revoked_at == again.revoked_at == day1
    assert (again.revoked_by, again.revoked_reason) == ("staff-shimin", "記載誤り")
    # the second revocation wrote nothing, not even its audit entry
    assert registry.audit_trail("A2026-000001") == [audit("revoked", "staff-shimin", day1)]
    with pytest.raises(CertificateNotFound):
        registry.revoke("A2026-000009", "x", audit("revoked", "staff-shimin", NOW, "A2026-000009"))
    assert registry.audit_trail("A2026-000009") == []  # no audit entry for a certificate that is not there


def test_reads_are_audited_oldest_first_per_certificate(registry: CertificateRegistry) -> None:
    registry.register(issued())
    registry.register(issued("A2026-000002"))
    later = audit("viewed", "staff-b", NOW + timedelta(minutes=5))
    earlier = audit("viewed", "staff-a", NOW)
    registry.audit(later)
    registry.audit(earlier)
    registry.audit(audit("viewed", "staff-a", NOW, "A2026-000002"))
    assert registry.audit_trail("A2026-000001") == [earlier, later]

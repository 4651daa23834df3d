"""One contract for the certificate register, run against the in-memory fake and the DynamoDB adapter (moto,
table from the catalogue): a retry registers nothing new, serials are never handed out twice, revocation once."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from madoguchi.certificates.models import CertificateNotFound, IssuedCertificate
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


def test_revoked_once_and_unknown_numbers_refused(registry: CertificateRegistry) -> None:
    registry.register(issued())
    first = registry.revoke("A2026-000001", "staff-shimin", NOW + timedelta(days=1))
    again = registry.revoke("A2026-000001", "staff-other", NOW + timedelta(days=2))
    assert first.revoked_at == again.revoked_at == NOW + timedelta(days=1) and again.revoked_by == "staff-shimin"
    with pytest.raises(CertificateNotFound):
        registry.revoke("A2026-000009", "staff-shimin", NOW)

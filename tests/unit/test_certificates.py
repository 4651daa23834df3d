"""Certificates state the city's record, carry an issue number and a verification code, and can be checked by
whoever receives them without learning anything about the resident (docs/certificates.md)."""

from __future__ import annotations

import io
import re
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from pydantic import ValidationError
from pypdf import PdfReader

from madoguchi.applications.certificates import Issue, certificate_pdf
from madoguchi.certificates import links as certificate_links
from madoguchi.certificates import service as certificates
from madoguchi.certificates.models import CertificateNotFound, IssuedCertificate, RevokeRequest
from madoguchi.certificates.pdf import wareki
from madoguchi.kiosk import service as kiosk_service
from madoguchi.shared.auth import Caller, Role
from madoguchi.shared.errors import Forbidden, Unauthorized
from madoguchi.shared.settings import settings
from tests.fakes.certificates import MemoryCertificateRegistry, certificate_sources

NOW = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)
SHIMIN = Caller(sub="staff-shimin", role=Role.STAFF, department="shimin")
ZEI = Caller(sub="staff-zei", role=Role.STAFF, department="zei")
SHIMIN_2 = Caller(sub="staff-shimin-2", role=Role.STAFF, department="shimin")
RESIDENT = Caller(sub="resident-1", role=Role.RESIDENT)


@pytest.fixture(autouse=True)
def site(monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("SITE_URL", "https://city.example")
    settings.cache_clear()
    yield
    settings.cache_clear()


def text_of(pdf: bytes) -> str:
    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf)).pages)


def issue(kind: str = "juminhyo", *, household: bool = False, copies: int = 1) -> Issue:
    page_url, link = certificate_links.verification_links("A2026-000007", "0A1B2C3D4E5F")
    return Issue(
        title="住民票の写し",
        kind=kind,
        number="A2026-000007",
        code="0A1B2C3D4E5F",
        issued_at=NOW,
        copies=copies,
        household=household,
        page_url=page_url,
        link=link,
    )


def test_wareki_writes_the_first_year_as_gannen() -> None:
    assert wareki(date(2019, 5, 1)) == "令和元年5月1日"
    assert wareki(date(1985, 4, 12)) == "昭和60年4月12日"
    assert wareki(date(2026, 12, 1)) == "令和8年12月1日"


def test_pdf_states_the_record_in_wareki_with_number_code_and_where_to_check() -> None:
    record = certificate_sources().records.record("resident-1")
    assert record is not None
    text = text_of(certificate_pdf(issue(), record))
    assert "三重県四日市市諏訪町1番5号" in text and "市民 一郎" in text
    assert "昭和60年4月12日" in text and "平成24年4月1日" in text  # birth and 住民となった日 in 和暦
    assert "令和8年12月1日" in text  # the day of issue
    assert "1985-04-12" not in text and "2026-12-01" not in text  # no ISO dates
    assert "A2026-000007" in text and "0A1B2C3D4E5F" in text
    assert "https://city.example/verify/" in text
    assert "市民 桜" not in text  # self only: the rest of the household is not on it


def test_household_pdf_lists_every_member_and_prints_each_copy() -> None:
    record = certificate_sources().records.record("resident-1")
    assert record is not None
    pdf = certificate_pdf(issue(household=True, copies=2), record)
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 2
    first = reader.pages[0].extract_text() or ""
    assert "市民 桜" in first and "平成28年7月7日" in first and "（1/2）" in first


def test_qr_code_links_to_the_verification_page_of_the_deployment() -> None:
    page_url, link = certificate_links.verification_links("A2026-000007", "0A1B2C3D4E5F")
    assert page_url == "https://city.example/verify/"
    parts = urlsplit(link)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == page_url
    assert parse_qs(parts.query) == {"number": ["A2026-000007"], "code": ["0A1B2C3D4E5F"]}


def registered(registry: MemoryCertificateRegistry, code: str = "0A1B2C3D4E5F") -> IssuedCertificate:
    return certificates.record_issue(
        registry,
        number="A2026-000007",
        code=code,
        kind="juminhyo",
        title="住民票の写し",
        department="shimin",
        channel="online",
        issued_at=NOW,
        reference="application:app-1",
    )


def test_register_keeps_only_a_hash_of_the_code_and_a_retry_changes_nothing() -> None:
    registry = MemoryCertificateRegistry()
    first = registered(registry)
    registered(registry, code="FFFFFFFFFFFF")  # a retry of the same number keeps the first entry
    stored = registry.get("A2026-000007")
    assert stored == first and "0A1B2C3D4E5F" not in stored.model_dump_json()


def test_check_answers_genuine_papers_only_and_names_no_person() -> None:
    deps = certificates.CertificateDeps(registry=MemoryCertificateRegistry())
    registered(deps.registry)  # type: ignore[arg-type]
    found = certificates.check("a2026-000007", "0a1b-2c3d-4e5f", "en", deps)  # typed as people type it
    assert (found.status, found.kind, found.issued_on) == ("valid", "juminhyo", date(2026, 12, 1))
    assert found.office == "Citizens Division" and found.title == "住民票の写し"
    assert found.issued_on_wareki == "令和8年12月1日"
    assert set(found.model_dump()) == {
        "issue_number",
        "kind",
        "title",
        "issued_on",
        "issued_on_wareki",
        "office",
        "channel",
        "status",
        "revoked_on",
    }
    for number, code in (
        ("A2026-000007", "0A1B2C3D4E50"),  # wrong code
        ("A2026-000008", "0A1B2C3D4E5F"),  # unknown number
        ("A2026-000007", ""),  # no code
        ("../../x", "0A1B2C3D4E5F"),  # crafted
    ):
        with pytest.raises(CertificateNotFound) as refused:
            certificates.check(number, code, "ja", deps)
        assert refused.value.status == 404 and refused.value.code == "certificate_not_found"


def revoke_request(reason: str = "氏名の記載誤りのため再交付") -> RevokeRequest:
    return RevokeRequest(reason=reason)


def test_revoked_certificate_is_checked_as_revoked_and_only_its_office_revokes() -> None:
    deps = certificates.CertificateDeps(registry=MemoryCertificateRegistry())
    registered(deps.registry)  # type: ignore[arg-type]
    with pytest.raises(Forbidden):
        certificates.revoke("A2026-000007", revoke_request(), ZEI, "ja", deps, NOW)
    later = NOW + timedelta(days=3)
    first = certificates.revoke("a2026-000007 ", revoke_request(), SHIMIN, "ja", deps, later)  # as typed
    # revoked twice: the first revocation (time, clerk, reason) stands and is the answer
    again = certificates.revoke(
        "A2026-000007", revoke_request("別の理由"), SHIMIN_2, "ja", deps, later + timedelta(days=1)
    )
    assert again.revoked_at == first.revoked_at == later
    assert (again.revoked_by, again.revoked_reason) == ("staff-shimin", "氏名の記載誤りのため再交付")
    assert [(a.action, a.by) for a in again.audit] == [("revoked", "staff-shimin")]  # the no-op wrote nothing
    found = certificates.check("A2026-000007", "0A1B2C3D4E5F", "ja", deps)
    assert found.status == "revoked" and found.revoked_on == date(2026, 12, 4)
    assert "氏名" not in found.model_dump_json()  # the public check never carries the reason


@pytest.mark.parametrize("reason", ["", "   ", "x" * 201, None])
def test_a_revocation_needs_a_reason_of_1_to_200_characters(reason: str | None) -> None:
    with pytest.raises(ValidationError):
        RevokeRequest.model_validate({} if reason is None else {"reason": reason})
    assert RevokeRequest(reason=" " + "x" * 200 + " ").reason == "x" * 200  # trimmed before counting


def test_staff_of_the_issuing_department_look_a_certificate_up_without_its_code_and_the_read_is_audited() -> None:
    registry = MemoryCertificateRegistry()
    deps = certificates.CertificateDeps(registry=registry)
    registered(registry)
    entry = certificates.look_up(" a2026-000007", SHIMIN, "en", deps, NOW)
    assert (entry.issue_number, entry.kind, entry.title, entry.office, entry.channel) == (
        "A2026-000007",
        "juminhyo",
        "住民票の写し",
        "Citizens Division",
        "online",
    )
    assert (entry.reference, entry.status, entry.issued_at, entry.revoked_reason) == (
        "application:app-1",
        "valid",
        NOW,
        None,
    )
    assert [(a.action, a.by, a.department, a.at) for a in entry.audit] == [("viewed", "staff-shimin", "shimin", NOW)]
    assert "code_sha256" not in entry.model_dump()


def test_look_up_refuses_other_departments_residents_strangers_and_unknown_or_crafted_numbers() -> None:
    registry = MemoryCertificateRegistry()
    deps = certificates.CertificateDeps(registry=registry)
    registered(registry)
    with pytest.raises(Forbidden):
        certificates.look_up("A2026-000007", ZEI, "ja", deps, NOW)
    with pytest.raises(Forbidden):
        certificates.look_up("A2026-000007", RESIDENT, "ja", deps, NOW)
    with pytest.raises(Unauthorized):
        certificates.look_up("A2026-000007", None, "ja", deps, NOW)
    for number in ("A2026-000008", "../../x", "A2026-0000071", ""):
        with pytest.raises(CertificateNotFound):
            certificates.look_up(number, SHIMIN, "ja", deps, NOW)
    assert registry.audits == []  # refused reads leave no "viewed" entry
    with pytest.raises(Unauthorized):
        certificates.revoke("A2026-000007", revoke_request(), None, "ja", deps, NOW)
    with pytest.raises(CertificateNotFound):
        certificates.revoke("K2026-000001", revoke_request(), SHIMIN, "ja", deps, NOW)
    assert registry.certificates["A2026-000007"].revoked_at is None


def test_issue_numbers_and_codes() -> None:
    assert certificates.issue_number("A", 12, datetime(2026, 12, 31, 16, 0, tzinfo=UTC)) == "A2027-000012"
    codes = {certificates.new_code() for _ in range(50)}
    assert len(codes) == 50 and all(re.fullmatch(r"[0-9A-F]{12}", c) for c in codes)


def test_kiosk_certificate_is_registered_before_its_pdf_is_handed_out_and_says_where_to_check() -> None:
    import base64
    import dataclasses

    from tests.unit.test_kiosk_orders import KIOSK, ONE, SESSION, terminal
    from tests.unit.test_kiosk_orders import deps as order_deps

    registry = MemoryCertificateRegistry()
    deps = dataclasses.replace(order_deps.__wrapped__(), certificates=registry)  # type: ignore[attr-defined]
    placed = kiosk_service.place_order(SESSION, ONE, "key-1", KIOSK, deps, NOW)
    order = deps.orders.get(placed.order_id)
    assert order is not None and order.payment_intent_id
    terminal(deps).settle(order.payment_intent_id, paid=True)
    assert not registry.certificates  # paid, but nothing printed yet
    view = kiosk_service.get_order(SESSION, placed.order_id, KIOSK, deps, NOW)
    kiosk_service.get_order(SESSION, placed.order_id, KIOSK, deps, NOW)  # fetched again: still one entry
    issued = deps.orders.get(placed.order_id)
    assert issued is not None and issued.verification_code and view.pdf
    [entry] = registry.certificates.values()
    assert (entry.issue_number, entry.channel, entry.kind) == (issued.issue_number, "kiosk", "juminhyo")
    text = text_of(base64.b64decode(view.pdf))
    assert "https://city.example/verify/" in text and issued.verification_code in text
    found = certificates.check(
        entry.issue_number, issued.verification_code, "ja", certificates.CertificateDeps(registry)
    )
    assert found.status == "valid" and found.office == "市民課"


def test_each_page_carries_a_qr_code_of_the_link_with_number_and_code(monkeypatch: pytest.MonkeyPatch) -> None:
    from reportlab.graphics.barcode import qr

    encoded: list[str] = []

    class Recording(qr.QrCodeWidget):  # type: ignore[misc]
        def __init__(self, value: str, **kw: Any) -> None:
            encoded.append(value)
            super().__init__(value, **kw)

    monkeypatch.setattr(qr, "QrCodeWidget", Recording)
    record = certificate_sources().records.record("resident-1")
    assert record is not None
    certificate_pdf(issue(copies=2), record)
    assert encoded == ["https://city.example/verify/?number=A2026-000007&code=0A1B2C3D4E5F"] * 2

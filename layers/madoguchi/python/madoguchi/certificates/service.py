"""The certificate register's rules: numbers and codes for a new certificate, the public check, the issuing
department's look-up and revocation (both audited).

The public check answers 404 alike for an unknown issue number, a wrong code and a malformed input, so trying
numbers tells a guesser nothing; codes carry 48 bits and the route is throttled (infra/stacks/api.py)."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from madoguchi.certificates.models import (
    CODE_PATTERN,
    ISSUE_NUMBER_PATTERN,
    CertificateAuditEntry,
    CertificateCheck,
    CertificateNotFound,
    IssuedCertificate,
    RevokeRequest,
    StaffCertificate,
)
from madoguchi.certificates.pdf import wareki
from madoguchi.certificates.store import CertificateRegistry
from madoguchi.shared.auth import Caller, Role, require
from madoguchi.shared.departments import DEPARTMENTS
from madoguchi.shared.errors import Forbidden
from madoguchi.shared.i18n import Lang, pick

TOKYO = ZoneInfo("Asia/Tokyo")
_ISSUE_NUMBER = re.compile(ISSUE_NUMBER_PATTERN)
_CODE = re.compile(CODE_PATTERN)
VERIFY_PAGE = "/verify/"


@dataclass(frozen=True)
class CertificateDeps:
    registry: CertificateRegistry


def new_code() -> str:
    return secrets.token_hex(6).upper()


def code_digest(code: str) -> str:
    return hashlib.sha256(code.encode("ascii")).hexdigest()


def issue_number(prefix: str, serial: int, issued_at: datetime) -> str:
    """<prefix><year in Tokyo>-<serial>: A2026-000123 (the kiosk's K numbers are made the same way)."""
    return f"{prefix}{issued_at.astimezone(TOKYO).year}-{serial:06d}"


def verify_path(number: str, code: str) -> str:
    """The verification page with the number and code filled in (the QR code on the paper)."""
    return f"{VERIFY_PAGE}?{urlencode({'number': number, 'code': code})}"


def normalise_code(code: str) -> str:
    """As people type it from paper: any case, spaces or hyphens between groups."""
    return re.sub(r"[\s\-‐－ー]", "", code).upper()


def check(issue_number: str, code: str | None, lang: Lang, deps: CertificateDeps) -> CertificateCheck:
    number = issue_number.strip().upper()
    typed = normalise_code(code or "")
    if not _ISSUE_NUMBER.fullmatch(number) or not _CODE.fullmatch(typed):
        raise CertificateNotFound()
    found = deps.registry.get(number)
    # compare_digest on the digests: the time taken does not tell how much of a code was right
    expected = found.code_sha256 if found else code_digest("0" * 12)
    if not hmac.compare_digest(expected, code_digest(typed)) or found is None:
        raise CertificateNotFound()
    return as_check(found, lang)


def as_check(found: IssuedCertificate, lang: Lang) -> CertificateCheck:
    issued_on = found.issued_at.astimezone(TOKYO).date()
    names = DEPARTMENTS.get(found.department)
    return CertificateCheck(
        issue_number=found.issue_number,
        kind=found.kind,
        title=found.title,
        issued_on=issued_on,
        issued_on_wareki=wareki(issued_on),
        office=pick(names, lang) if names else found.department,
        channel=found.channel,
        status="revoked" if found.revoked_at else "valid",
        revoked_on=found.revoked_at.astimezone(TOKYO).date() if found.revoked_at else None,
    )


def _issued_by_callers_department(
    issue_number: str, caller: Caller | None, deps: CertificateDeps
) -> tuple[Caller, IssuedCertificate]:
    """Staff only (401/403 before anything is looked up); unknown or malformed numbers 404; another
    department's certificate 403."""
    staff = require(caller, Role.STAFF)
    number = issue_number.strip().upper()
    found = deps.registry.get(number) if _ISSUE_NUMBER.fullmatch(number) else None
    if found is None:
        raise CertificateNotFound()
    if staff.department != found.department:
        raise Forbidden()
    return staff, found


def _audit_entry(found: IssuedCertificate, staff: Caller, action: str, now: datetime) -> CertificateAuditEntry:
    return CertificateAuditEntry.model_validate(
        {
            "issue_number": found.issue_number,
            "at": now,
            "action": action,
            "by": staff.sub,
            "department": found.department,
        }
    )


def staff_view(found: IssuedCertificate, lang: Lang, deps: CertificateDeps) -> StaffCertificate:
    names = DEPARTMENTS.get(found.department)
    return StaffCertificate(
        issue_number=found.issue_number,
        kind=found.kind,
        title=found.title,
        department=found.department,
        office=pick(names, lang) if names else found.department,
        channel=found.channel,
        issued_at=found.issued_at,
        reference=found.reference,
        status="revoked" if found.revoked_at else "valid",
        revoked_at=found.revoked_at,
        revoked_by=found.revoked_by,
        revoked_reason=found.revoked_reason,
        audit=deps.registry.audit_trail(found.issue_number),
    )


def look_up(
    issue_number: str, caller: Caller | None, lang: Lang, deps: CertificateDeps, now: datetime
) -> StaffCertificate:
    """The issuing department's staff read the register entry without the code; the read is audited."""
    staff, found = _issued_by_callers_department(issue_number, caller, deps)
    deps.registry.audit(_audit_entry(found, staff, "viewed", now))
    return staff_view(found, lang, deps)


def revoke(
    issue_number: str, request: RevokeRequest, caller: Caller | None, lang: Lang, deps: CertificateDeps, now: datetime
) -> StaffCertificate:
    """Staff of the issuing department withdraw a certificate (issued in error, record corrected since), saying
    why. A second revocation keeps the first (its time, clerk and reason) and answers it."""
    staff, found = _issued_by_callers_department(issue_number, caller, deps)
    revoked = deps.registry.revoke(found.issue_number, request.reason, _audit_entry(found, staff, "revoked", now))
    return staff_view(revoked, lang, deps)


def record_issue(
    registry: CertificateRegistry,
    *,
    number: str,
    code: str,
    kind: str,
    title: str,
    department: str,
    channel: str,
    issued_at: datetime,
    reference: str,
    pdf_sha256: str | None = None,
) -> IssuedCertificate:
    """Put a certificate in the register before its paper leaves the system (a retry registers nothing new)."""
    certificate = IssuedCertificate.model_validate(
        {
            "issue_number": number,
            "kind": kind,
            "title": title,
            "department": department,
            "channel": channel,
            "issued_at": issued_at,
            "code_sha256": code_digest(code),
            "pdf_sha256": pdf_sha256,
            "reference": reference,
        }
    )
    registry.register(certificate)
    return certificate

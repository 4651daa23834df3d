"""The register of issued certificates (交付記録): what was issued, never whose. Anyone holding a printed
certificate may check it by its issue number and verification code; the answer carries no personal data."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field, StringConstraints

from madoguchi.shared.errors import NotFound

Channel = Literal["online", "counter", "kiosk"]
CertificateStatus = Literal["valid", "revoked"]

# Issue numbers: a channel letter (A application, K kiosk), the year in Tokyo, a serial unique in that year.
ISSUE_NUMBER_PATTERN = r"[AK]\d{4}-\d{6}"
# Verification codes: 12 hex digits (48 bits): guessing one for a known issue number takes ~1.4e14 tries.
CODE_PATTERN = r"[0-9A-F]{12}"


class IssuedCertificate(BaseModel):
    """One entry of the register. `code_sha256` only: the code itself is on the paper, not in the table."""

    issue_number: str
    kind: str = Field(description="Procedure id of the certificate (juminhyo, inkan-toroku-shomei …)")
    title: str = Field(description="The title printed on the certificate (Japanese, as on the paper)")
    department: str = Field(description="The issuing office's department id")
    channel: Channel
    issued_at: datetime
    code_sha256: str
    pdf_sha256: str | None = Field(default=None, description="SHA-256 of the PDF as issued, when it is fixed")
    reference: str = Field(description="What it was issued for: application:<id> or kiosk-order:<id> (staff)")
    revoked_at: datetime | None = None
    revoked_by: str | None = None
    revoked_reason: str | None = Field(default=None, description="Why it was revoked (staff only, never public)")


REVOKE_REASON_MAX = 200
RevokeReason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=REVOKE_REASON_MAX)]


class RevokeRequest(BaseModel):
    reason: RevokeReason = Field(
        description="Why the certificate is withdrawn (1–200 characters), kept with the revocation for staff"
    )


class CertificateAuditEntry(BaseModel):
    """Who read or revoked a register entry: the entry names no person, but its reference leads to one."""

    issue_number: str
    at: datetime
    action: Literal["viewed", "revoked"]
    by: str = Field(description="Staff sub")
    department: str


class StaffCertificate(BaseModel):
    """A register entry as the issuing department's staff see it: what, when, for which application or kiosk
    order, and its revocation (by whom, why). Reading it is audited."""

    issue_number: str
    kind: str = Field(description="Procedure id of the certificate")
    title: str = Field(description="The certificate's title as printed (Japanese)")
    department: str = Field(description="The issuing office's department id")
    office: str = Field(description="The issuing office, in the asked language")
    channel: Channel
    issued_at: datetime
    reference: str = Field(description="What it was issued for: application:<id> or kiosk-order:<id>")
    status: CertificateStatus
    revoked_at: datetime | None = None
    revoked_by: str | None = None
    revoked_reason: str | None = None
    audit: list[CertificateAuditEntry] = Field(description="Reads and revocations by staff, oldest first")


class CertificateCheck(BaseModel):
    """What a verifier learns: that the paper in hand was issued, what and when and by which office."""

    issue_number: str
    kind: str = Field(description="Procedure id of the certificate")
    title: str = Field(description="The certificate's title as printed (Japanese)")
    issued_on: date = Field(description="Day of issue (Asia/Tokyo)")
    issued_on_wareki: str = Field(description="Day of issue in the Japanese era calendar, as printed")
    office: str = Field(description="The issuing office, in the asked language")
    channel: Channel
    status: CertificateStatus = Field(description="valid, or revoked (withdrawn by the city after issue)")
    revoked_on: date | None = None


class CertificateNotFound(NotFound):
    """Unknown issue number and wrong code answer the same: a guesser learns nothing from either."""

    code = "certificate_not_found"

"""Certificates as PDF (証明書) made from the city's resident record (住民記録) through the records port, never
from what the resident typed: dates in 和暦, an issue number and a verification code on every page, and the
verification page's address and QR code (madoguchi.certificates). reportlab's built-in Japanese CID font."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from madoguchi.certificates.pdf import FONT, draw_household, draw_verification, register_font, wareki
from madoguchi.kiosk.matching import FourItems, lookup_key, normalise_address, normalise_name
from madoguchi.kiosk.models import ResidentRecord
from madoguchi.kiosk.store import ResidentDirectory

TOKYO = ZoneInfo("Asia/Tokyo")
CITY = "四日市市長"
# What the records port holds is the 住民票's content: a 住民票 states all of it; the other certificates state
# the holder as recorded, and their own facts (印影, 所得, 税額, 戸籍) come from core systems not connected yet.
CERTIFYING = {
    "juminhyo": "この写しは、住民票の原本と相違ないことを証明する。",
}
DEFAULT_CERTIFYING = "上記の者について、本市の住民記録のとおりであることを証明する。"


@dataclass(frozen=True)
class Issue:
    """What one printing of a certificate is: its title, number, code and where it can be checked."""

    title: str
    kind: str
    number: str
    code: str
    issued_at: datetime
    copies: int
    household: bool
    page_url: str
    link: str


def resident_of(owner: str | None, answers: dict[str, object], directory: ResidentDirectory) -> str | None:
    """The record the certificate is about: the signed-in owner's, else the one record whose name, date of birth
    and address are the applicant's (a counter or kiosk application without an account); None when none or
    several match (the counter then checks in the core system)."""
    if owner:
        return owner
    name, address, born = (
        str(answers.get(k) or "") for k in ("applicant_name", "applicant_address", "applicant_date_of_birth")
    )
    if not (name and address and born):
        return None
    found = [
        rid
        for rid, items in directory.candidates(lookup_key(FourItems(name, address, born, "")))
        if normalise_name(items.name) == normalise_name(name)
        and normalise_address(items.address) == normalise_address(address)
        and items.date_of_birth == born
    ]
    return found[0] if len(found) == 1 else None


def certificate_pdf(issue: Issue, record: ResidentRecord) -> bytes:
    """One A4 page per copy: the title, the record's address and household (the holder alone unless the whole
    household was asked for), the certifying sentence, the day of issue in 和暦 and the verification box."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.pdfgen import canvas

    register_font()
    members = record.members if issue.household else record.members[:1]
    issued = issue.issued_at.astimezone(TOKYO).date()
    out = io.BytesIO()
    pdf = canvas.Canvas(out, pagesize=A4, pageCompression=1, invariant=True)
    pdf.setTitle(f"{issue.title} {issue.number}")
    pdf.setAuthor(CITY)
    width, height = A4
    for copy in range(1, issue.copies + 1):
        pdf.setFont(FONT, 20)
        pdf.drawCentredString(width / 2, height - 30 * mm, issue.title)
        pdf.setFont(FONT, 9)
        pdf.drawRightString(width - 20 * mm, height - 40 * mm, f"交付番号 {issue.number}（{copy}/{issue.copies}）")
        pdf.drawRightString(width - 20 * mm, height - 45 * mm, f"照合番号 {issue.code}")
        draw_household(pdf, record, members, width, height - 58 * mm)
        pdf.setFont(FONT, 11)
        pdf.drawString(20 * mm, 68 * mm, CERTIFYING.get(issue.kind, DEFAULT_CERTIFYING))
        pdf.drawString(20 * mm, 60 * mm, wareki(issued))
        pdf.drawRightString(width - 25 * mm, 52 * mm, CITY)
        draw_verification(
            pdf, font=FONT, number=issue.number, code=issue.code, page_url=issue.page_url, link=issue.link
        )
        pdf.setFont(FONT, 8)
        pdf.drawString(20 * mm, 15 * mm, "オンライン申請に基づき、本市の住民記録から作成しました。")
        pdf.showPage()
    pdf.save()
    return out.getvalue()

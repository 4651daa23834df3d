"""The 住民票の写し as a print-ready PDF (A4, reportlab's built-in Japanese CID font), made from the city's
resident record at the moment it is fetched: dates in the Japanese era calendar (和暦), the issue number and a
verification code on every copy."""

from __future__ import annotations

import io
from datetime import datetime
from zoneinfo import ZoneInfo

from madoguchi.certificates.pdf import draw_verification, wareki
from madoguchi.kiosk.models import KioskOrder, ResidentRecord

FONT = "HeiseiMin-W3"
TOKYO = ZoneInfo("Asia/Tokyo")
ISSUER = "四日市市長"
SEX = {"male": "男", "female": "女", "not_applicable": "", "unknown": ""}


def _font() -> None:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))


def juminhyo_pdf(
    order: KioskOrder, record: ResidentRecord, *, page_url: str | None = None, link: str | None = None
) -> bytes:
    """One page per copy; `scope` self shows the card holder only, household every member. With `page_url` and
    `link`, each page prints where and how to check it (madoguchi.certificates.pdf.draw_verification)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.pdfgen import canvas

    if order.issued_at is None or order.issue_number is None:
        raise ValueError("only an issued order has a certificate")
    _font()
    members = record.members if order.scope == "household" else record.members[:1]
    issued = order.issued_at.astimezone(TOKYO).date()
    out = io.BytesIO()
    pdf = canvas.Canvas(out, pagesize=A4, pageCompression=1)
    title = "住民票の写し" if order.scope == "self" else "住民票の写し（世帯全員）"
    pdf.setTitle(f"{title} {order.issue_number}")
    pdf.setAuthor(ISSUER)
    width, height = A4
    for copy in range(1, order.copies + 1):
        pdf.setFont(FONT, 20)
        pdf.drawCentredString(width / 2, height - 30 * mm, title)
        pdf.setFont(FONT, 9)
        pdf.drawRightString(
            width - 20 * mm, height - 40 * mm, f"交付番号 {order.issue_number}（{copy}/{order.copies}）"
        )
        pdf.drawRightString(width - 20 * mm, height - 45 * mm, f"照合番号 {order.verification_code}")
        pdf.setFont(FONT, 11)
        y = height - 58 * mm
        pdf.drawString(20 * mm, y, f"住所　{record.address}")
        y -= 7 * mm
        pdf.drawString(20 * mm, y, f"世帯主　{record.household_head}")
        y -= 10 * mm
        for member in members:
            pdf.rect(20 * mm, y - 22 * mm, width - 40 * mm, 26 * mm)
            pdf.setFont(FONT, 13)
            pdf.drawString(24 * mm, y - 3 * mm, member.name)
            pdf.setFont(FONT, 10)
            pdf.drawString(24 * mm, y - 10 * mm, f"生年月日　{wareki(member.date_of_birth)}")
            pdf.drawString(95 * mm, y - 10 * mm, f"性別　{SEX[member.sex]}")
            pdf.drawString(130 * mm, y - 10 * mm, f"続柄　{member.relationship}")
            pdf.drawString(24 * mm, y - 17 * mm, f"住民となった年月日　{wareki(member.became_resident_on)}")
            y -= 30 * mm
        pdf.setFont(FONT, 9)
        pdf.drawString(20 * mm, y, "個人番号・本籍・筆頭者の記載は省略しています。")
        pdf.setFont(FONT, 11)
        pdf.drawString(20 * mm, 62 * mm, "この写しは、住民票の原本と相違ないことを証明する。")
        pdf.drawString(20 * mm, 54 * mm, wareki(issued))
        pdf.drawRightString(width - 25 * mm, 46 * mm, ISSUER)
        if page_url and link and order.verification_code:
            draw_verification(
                pdf, font=FONT, number=order.issue_number, code=order.verification_code, page_url=page_url, link=link
            )
        pdf.setFont(FONT, 8)
        pdf.drawString(
            20 * mm,
            20 * mm,
            "キオスク端末でマイナンバーカードにより交付しました。交付番号と照合番号で真偽を照会できます。",
        )
        pdf.showPage()
    pdf.save()
    return out.getvalue()


def issue_number(serial: int, issued_at: datetime) -> str:
    """K (kiosk) + the year in Tokyo + a serial unique within that year: K2026-000123."""
    return f"K{issued_at.astimezone(TOKYO).year}-{serial:06d}"

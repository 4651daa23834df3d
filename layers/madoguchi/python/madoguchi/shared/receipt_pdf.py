"""The city's receipt (領収書) as a PDF, one A5 layout for every fee: Japanese text in reportlab's built-in CID
font (no font files to ship). Each context gives its own lines (what was paid for, its reference)."""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import datetime, timedelta, timezone

FONT = "HeiseiKakuGo-W5"
# Japan keeps no daylight saving time: a fixed +09:00 is Asia/Tokyo exactly, with no tz database needed.
TOKYO = timezone(timedelta(hours=9), "JST")


def receipt_pdf(
    *, number: str, paid_at: datetime, amount: int, refunded: int, issuer: str, lines: Sequence[str]
) -> bytes:
    from reportlab.lib.pagesizes import A5
    from reportlab.lib.units import mm
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A5, invariant=True)
    pdf.setTitle(f"領収書 {number}")
    pdf.setAuthor(issuer)
    width, height = A5
    y = height - 25 * mm
    pdf.setFont(FONT, 20)
    pdf.drawCentredString(width / 2, y, "領収書")
    pdf.setFont(FONT, 10)
    y -= 12 * mm
    pdf.drawRightString(width - 15 * mm, y, f"No. {number}")
    y -= 6 * mm
    pdf.drawRightString(width - 15 * mm, y, f"{paid_at.astimezone(TOKYO):%Y年%m月%d日}")
    y -= 16 * mm
    pdf.setFont(FONT, 16)
    pdf.drawCentredString(width / 2, y, f"金額　¥{amount:,}-")
    pdf.line(30 * mm, y - 3 * mm, width - 30 * mm, y - 3 * mm)
    y -= 14 * mm
    pdf.setFont(FONT, 10)
    all_lines = [*lines, "お支払い方法：クレジットカード"]
    if refunded:
        all_lines.append(f"返金額：¥{refunded:,}")
    for line in all_lines:
        pdf.drawString(20 * mm, y, line)
        y -= 7 * mm
    pdf.setFont(FONT, 12)
    pdf.drawRightString(width - 15 * mm, 25 * mm, issuer)
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()

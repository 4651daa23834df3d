"""The receipt (領収書) of an application fee as a PDF: the same A5 layout as a facility receipt
(reservations/receipt.py), Japanese text in reportlab's built-in CID font (no font files to ship)."""

from __future__ import annotations

import io
from datetime import timedelta, timezone

from madoguchi.applications.models import ApplicationReceipt

FONT = "HeiseiKakuGo-W5"
TOKYO = timezone(timedelta(hours=9), "JST")  # no daylight saving time in Japan


def receipt_pdf(receipt: ApplicationReceipt) -> bytes:
    from reportlab.lib.pagesizes import A5
    from reportlab.lib.units import mm
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A5, invariant=True)
    pdf.setTitle(f"領収書 {receipt.number}")
    pdf.setAuthor(receipt.issuer)
    width, height = A5
    y = height - 25 * mm
    pdf.setFont(FONT, 20)
    pdf.drawCentredString(width / 2, y, "領収書")
    pdf.setFont(FONT, 10)
    y -= 12 * mm
    pdf.drawRightString(width - 15 * mm, y, f"No. {receipt.number}")
    y -= 6 * mm
    pdf.drawRightString(width - 15 * mm, y, f"{receipt.paid_at.astimezone(TOKYO):%Y年%m月%d日}")
    y -= 16 * mm
    pdf.setFont(FONT, 16)
    pdf.drawCentredString(width / 2, y, f"金額　¥{receipt.amount:,}-")
    pdf.line(30 * mm, y - 3 * mm, width - 30 * mm, y - 3 * mm)
    y -= 14 * mm
    pdf.setFont(FONT, 10)
    lines = [
        "但し　手数料として",
        f"手続：{receipt.procedure}",
        f"申請番号：{receipt.code}",
        "お支払い方法：クレジットカード",
    ]
    if receipt.refunded:
        lines.append(f"返金額：¥{receipt.refunded:,}")
    for line in lines:
        pdf.drawString(20 * mm, y, line)
        y -= 7 * mm
    pdf.setFont(FONT, 12)
    pdf.drawRightString(width - 15 * mm, 25 * mm, receipt.issuer)
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()

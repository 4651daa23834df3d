"""What every certificate prints alike: dates in the Japanese era calendar (和暦), and the box that lets whoever
receives the paper check it (issue number, verification code, the verification page's address and its QR code)."""

from __future__ import annotations

from datetime import date
from typing import Any

from japanera import EraDate


def wareki(day: date) -> str:
    """令和8年12月1日; the first year of an era is 元年, as certificates write it."""
    era, year = EraDate.from_date(day).strftime("%-K|%-Y").split("|")
    return f"{era}{'元' if year == '1' else year}年{day.month}月{day.day}日"


def draw_verification(pdf: Any, *, font: str, number: str, code: str, page_url: str, link: str) -> None:
    """Bottom-left of an A4 page: a QR code of `link` (the page with number and code filled in) and, in words,
    the page's address and the two values to type there."""
    from reportlab.graphics import renderPDF
    from reportlab.graphics.barcode.qr import QrCodeWidget
    from reportlab.graphics.shapes import Drawing
    from reportlab.lib.units import mm

    size = 24 * mm
    widget = QrCodeWidget(link, barLevel="M")
    left, bottom, right, top = widget.getBounds()
    drawing = Drawing(size, size, transform=[size / (right - left), 0, 0, size / (top - bottom), 0, 0])
    drawing.add(widget)
    renderPDF.draw(drawing, pdf, 18 * mm, 24 * mm)
    pdf.setFont(font, 8)
    x = 45 * mm
    pdf.drawString(x, 42 * mm, "この証明書の真偽は、次のページで交付番号と照合番号を入力して確認できます。")
    pdf.drawString(x, 37 * mm, page_url)
    pdf.drawString(x, 32 * mm, f"交付番号 {number}　照合番号 {code}")

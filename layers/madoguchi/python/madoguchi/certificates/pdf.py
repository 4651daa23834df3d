"""What every certificate prints alike: dates in the Japanese era calendar (和暦), and the box that lets whoever
receives the paper check it (issue number, verification code, the verification page's address and its QR code)."""

from __future__ import annotations

from datetime import date
from typing import Any

from japanera import EraDate

FONT = "HeiseiMin-W3"  # reportlab's built-in Japanese CID font: nothing to bundle
SEX = {"male": "男", "female": "女", "not_applicable": "", "unknown": ""}


def register_font() -> None:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))


def wareki_year(day: date) -> str:
    """令和8 (the era year of `day`); the first year of an era is 元, as certificates write it."""
    era, year = EraDate.from_date(day).strftime("%-K|%-Y").split("|")
    return f"{era}{'元' if year == '1' else year}"


def wareki(day: date) -> str:
    """令和8年12月1日."""
    return f"{wareki_year(day)}年{day.month}月{day.day}日"


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


def draw_household(pdf: Any, record: Any, members: Any, width: float, top: float) -> None:
    """A 住民票's content from `top` down: the record's address and head of household, then a box per member
    (name, date of birth, sex, relationship, the day they became a resident) and what is left out."""
    from reportlab.lib.units import mm

    pdf.setFont(FONT, 11)
    y = top
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

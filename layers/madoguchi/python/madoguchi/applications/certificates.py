"""Certificates as PDF (証明書), with reportlab's built-in Japanese CID font: no font file to ship."""

from __future__ import annotations

import io
from datetime import datetime
from zoneinfo import ZoneInfo

from madoguchi.applications.forms import Form
from madoguchi.applications.models import Application
from madoguchi.procedures.models import Procedure
from madoguchi.shared.i18n import pick

FONT = "HeiseiMin-W3"
TOKYO = ZoneInfo("Asia/Tokyo")
CITY = "四日市市長"


def _font() -> None:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))


def _answer_text(form: Form, field_id: str, value: object) -> str:
    spec = form.field(field_id)
    if spec is None:
        return str(value)
    if spec.type == "choice":
        choice = next((c for c in spec.choices if c.value == value), None)
        return pick(choice.label, "ja") if choice else str(value)
    if spec.type == "bool":
        return "あり" if value else "なし"
    return str(value)


def certificate_pdf(application: Application, procedure: Procedure, form: Form, now: datetime) -> bytes:
    """One A4 page: the certificate's title, the resident's data as applied for, number and date of issue."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.pdfgen import canvas

    _font()
    out = io.BytesIO()
    pdf = canvas.Canvas(out, pagesize=A4, pageCompression=1)
    title = pick(procedure.name, "ja")
    pdf.setTitle(f"{title} {application.code}")
    pdf.setAuthor(CITY)
    width, height = A4
    pdf.setFont(FONT, 20)
    pdf.drawCentredString(width / 2, height - 35 * mm, title)
    pdf.setFont(FONT, 10)
    issued = now.astimezone(TOKYO)
    pdf.drawRightString(width - 20 * mm, height - 48 * mm, f"交付番号 {application.code}")
    pdf.drawRightString(width - 20 * mm, height - 54 * mm, f"交付日 {issued:%Y年%m月%d日}")
    y = height - 70 * mm
    pdf.setFont(FONT, 11)
    for spec in form.fields:
        if spec.id not in application.answers or spec.id in ("phone",):
            continue
        pdf.drawString(25 * mm, y, pick(spec.label, "ja"))
        pdf.drawString(80 * mm, y, _answer_text(form, spec.id, application.answers[spec.id])[:60])
        y -= 8 * mm
    pdf.setFont(FONT, 11)
    pdf.drawString(25 * mm, 60 * mm, "上記のとおり証明します。")
    pdf.drawRightString(width - 25 * mm, 45 * mm, CITY)
    pdf.setFont(FONT, 8)
    pdf.drawString(
        25 * mm, 20 * mm, "この証明書はオンライン申請に基づき発行しました。改ざん防止のため交付番号で照会できます。"
    )
    pdf.showPage()
    pdf.save()
    return out.getvalue()

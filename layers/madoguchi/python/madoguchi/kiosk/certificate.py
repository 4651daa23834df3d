"""The kiosk's certificates as print-ready PDFs (A4, reportlab's built-in Japanese CID font): 住民票の写し,
印鑑登録証明書 and 所得課税証明書, made from the city's resident record, and 戸籍全部事項証明書, made from the family
register, at the moment they are fetched: dates in the Japanese era calendar (和暦), the issue number and a
verification code on every copy."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from madoguchi.certificates.pdf import (
    FONT,
    SEX,
    draw_household,
    draw_verification,
    register_font,
    wareki,
    wareki_year,
)
from madoguchi.kiosk.models import CertificateKind, FamilyRegister, KioskOrder, ResidentRecord

TOKYO = ZoneInfo("Asia/Tokyo")
ISSUER = "四日市市長"
TITLES: dict[CertificateKind, str] = {
    "juminhyo": "住民票の写し",
    "inkan-toroku-shomei": "印鑑登録証明書",
    "shotoku-kazei-shomei": "所得課税証明書",
    "koseki-shomei": "戸籍全部事項証明書",
}
# 身分事項 as a computerised 戸籍 heads them: the entry's name and the label of its date
STATUS_LABELS = {
    "birth": ("出生", "出生日"),
    "marriage": ("婚姻", "婚姻日"),
    "divorce": ("離婚", "離婚日"),
    "adoption": ("養子縁組", "縁組日"),
    "death": ("死亡", "死亡日"),
    "entry": ("入籍", "入籍日"),
    "removal": ("除籍", "除籍日"),
}


def juminhyo_pdf(
    order: KioskOrder, record: ResidentRecord, *, page_url: str | None = None, link: str | None = None
) -> bytes:
    """One page per copy; `scope` self shows the card holder only, household every member. With `page_url` and
    `link`, each page prints where and how to check it (madoguchi.certificates.pdf.draw_verification)."""
    members = record.members if order.scope == "household" else record.members[:1]
    title = "住民票の写し" if order.scope == "self" else "住民票の写し（世帯全員）"

    def body(pdf: Any, width: float, top: float) -> None:
        draw_household(pdf, record, members, width, top)

    attestation = "この写しは、住民票の原本と相違ないことを証明する。"
    return _certificate(order, title, attestation, body, page_url=page_url, link=link)


def issue_number(serial: int, issued_at: datetime) -> str:
    """K (kiosk) + the year in Tokyo + a serial unique within that year: K2026-000123."""
    return f"K{issued_at.astimezone(TOKYO).year}-{serial:06d}"


def certificate_pdf(
    order: KioskOrder, record: ResidentRecord, *, page_url: str | None = None, link: str | None = None
) -> bytes:
    """The order's certificate, whichever kind it is (with `page_url` and `link`: where to check it)."""
    if order.certificate == "inkan-toroku-shomei":
        return seal_certificate_pdf(order, record, page_url=page_url, link=link)
    if order.certificate == "shotoku-kazei-shomei":
        return income_certificate_pdf(order, record, page_url=page_url, link=link)
    return juminhyo_pdf(order, record, page_url=page_url, link=link)


def seal_certificate_pdf(
    order: KioskOrder, record: ResidentRecord, *, page_url: str | None = None, link: str | None = None
) -> bytes:
    """印鑑登録証明書: the registered seal with the holder's name, date of birth, sex and address."""
    from reportlab.lib.units import mm

    seal = record.seal
    if seal is None:
        raise ValueError("no registered seal")
    me = record.members[0]

    def body(pdf: Any, width: float, y: float) -> None:
        pdf.rect(20 * mm, y - 50 * mm, 60 * mm, 50 * mm)
        pdf.setFont(FONT, 8)
        pdf.drawString(22 * mm, y - 4 * mm, "印影")
        pdf.setStrokeColorRGB(0.75, 0.1, 0.1)
        pdf.setFillColorRGB(0.75, 0.1, 0.1)
        pdf.circle(50 * mm, y - 27 * mm, 15 * mm)
        pdf.setFont(FONT, 16)
        pdf.drawCentredString(50 * mm, y - 30 * mm, seal.impression)
        pdf.setStrokeColorRGB(0, 0, 0)
        pdf.setFillColorRGB(0, 0, 0)
        pdf.setFont(FONT, 11)
        lines = (
            f"氏名　{me.name}",
            f"生年月日　{wareki(me.date_of_birth)}",
            f"性別　{SEX[me.sex]}",
            f"住所　{record.address}",
            f"印鑑登録番号　{seal.number}",
        )
        for i, line in enumerate(lines):
            pdf.drawString(88 * mm, y - (6 + 9 * i) * mm, line)

    attestation = "この写しは、登録されている印影と相違ないことを証明する。"
    return _certificate(order, "印鑑登録証明書", attestation, body, page_url=page_url, link=link)


def income_certificate_pdf(
    order: KioskOrder, record: ResidentRecord, *, page_url: str | None = None, link: str | None = None
) -> bytes:
    """所得課税証明書 of one 年度: the income of the calendar year before and the municipal and prefectural tax."""
    from reportlab.lib.units import mm

    if order.fiscal_year is None or (year := record.tax_year(order.fiscal_year)) is None:
        raise ValueError("no assessment of that year")
    me = record.members[0]
    fiscal = wareki_year(date(year.fiscal_year, 4, 1))
    income_year = wareki_year(date(year.fiscal_year - 1, 12, 31))

    def body(pdf: Any, width: float, y: float) -> None:
        pdf.setFont(FONT, 11)
        pdf.drawString(20 * mm, y, f"{fiscal}年度（{income_year}年分所得）")
        pdf.drawString(20 * mm, y - 8 * mm, f"住所　{record.address}")
        pdf.drawString(20 * mm, y - 15 * mm, f"氏名　{me.name}　　生年月日　{wareki(me.date_of_birth)}")
        rows = (
            ("総所得金額", year.total_income_yen),
            ("所得控除額の合計", year.deductions_yen),
            ("課税標準額", year.taxable_income_yen),
            ("市民税額", year.municipal_tax_yen),
            ("県民税額", year.prefectural_tax_yen),
        )
        top = y - 25 * mm
        for i, (label, yen) in enumerate(rows):
            row_y = top - i * 9 * mm
            pdf.rect(20 * mm, row_y - 6 * mm, width - 40 * mm, 9 * mm)
            pdf.drawString(24 * mm, row_y - 3 * mm, label)
            pdf.drawRightString(width - 24 * mm, row_y - 3 * mm, f"{yen:,}円")

    title = f"所得課税証明書（{fiscal}年度）"
    return _certificate(order, title, "上記のとおり証明する。", body, page_url=page_url, link=link)


def koseki_pdf(
    order: KioskOrder, register: FamilyRegister, *, page_url: str | None = None, link: str | None = None
) -> bytes:
    """戸籍全部事項証明書 (戸籍謄本): 本籍, 筆頭者 and every member with their 身分事項, laid out as a computerised
    戸籍; a register longer than a page continues on the next, the attestation on the last."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm

    page_height = A4[1]

    def body(pdf: Any, width: float, y: float) -> None:
        pdf.setFont(FONT, 10)
        pdf.rect(20 * mm, y - 12 * mm, width - 40 * mm, 16 * mm)
        pdf.drawString(24 * mm, y - 1 * mm, f"本籍　{register.honseki}")
        pdf.drawString(24 * mm, y - 8 * mm, f"氏名　{register.head}")
        y -= 19 * mm
        if register.made_on is not None:
            pdf.drawString(20 * mm, y, f"戸籍事項　戸籍編製　【編製日】{wareki(register.made_on)}")
            y -= 8 * mm
        for member in register.members:
            if y - (19.5 + 10.5 * len(member.status)) * mm < 70 * mm:  # keep clear of the attestation: next page
                pdf.showPage()
                pdf.setFont(FONT, 9)
                pdf.drawRightString(width - 20 * mm, page_height - 20 * mm, f"（続き）交付番号 {order.issue_number}")
                y = page_height - 32 * mm
            pdf.line(20 * mm, y + 4 * mm, width - 20 * mm, y + 4 * mm)
            pdf.setFont(FONT, 10)
            pdf.drawString(20 * mm, y, f"戸籍に記録されている者　【氏名】{member.name}")
            pdf.setFont(FONT, 9)
            spouse = f"　【配偶者区分】{member.spouse_role}" if member.spouse_role else ""
            born = f"【生年月日】{wareki(member.date_of_birth)}{spouse}　【続柄】{member.relationship}"
            pdf.drawString(24 * mm, y - 5.5 * mm, born)
            parents = f"【父】{member.father or ''}　【母】{member.mother or ''}"
            pdf.drawString(24 * mm, y - 11 * mm, parents)
            y -= 16.5 * mm
            for entry in member.status:
                heading, date_label = STATUS_LABELS[entry.kind]
                pdf.drawString(24 * mm, y, f"身分事項　{heading}　【{date_label}】{wareki(entry.on)}")
                pdf.drawString(44 * mm, y - 5 * mm, entry.detail)  # its own line: 従前戸籍 and the like run long
                y -= 10.5 * mm
            y -= 3 * mm

    attestation = "これは、戸籍に記録されている事項の全部を証明した書面である。"
    return _certificate(order, "戸籍全部事項証明書", attestation, body, page_url=page_url, link=link)


def _certificate(
    order: KioskOrder,
    title: str,
    attestation: str,
    body: Callable[[Any, float, float], None],
    *,
    page_url: str | None,
    link: str | None,
) -> bytes:
    """One page per copy: title, issue number and verification code, `body`, attestation, date and issuer."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.pdfgen import canvas

    if order.issued_at is None or order.issue_number is None:
        raise ValueError("only an issued order has a certificate")
    register_font()
    issued = order.issued_at.astimezone(TOKYO).date()
    out = io.BytesIO()
    pdf = canvas.Canvas(out, pagesize=A4, pageCompression=1)
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
        body(pdf, width, height - 58 * mm)
        pdf.setFont(FONT, 11)
        pdf.drawString(20 * mm, 62 * mm, attestation)
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

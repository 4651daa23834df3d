"""The receipt (領収書) of an application fee as a PDF, in the city's one receipt layout (shared/receipt_pdf.py)."""

from __future__ import annotations

from madoguchi.applications.models import ApplicationReceipt
from madoguchi.shared import receipt_pdf as layout


def receipt_pdf(receipt: ApplicationReceipt) -> bytes:
    return layout.receipt_pdf(
        number=receipt.number,
        paid_at=receipt.paid_at,
        amount=receipt.amount,
        refunded=receipt.refunded,
        issuer=receipt.issuer,
        lines=["但し　手数料として", f"手続：{receipt.procedure}", f"申請番号：{receipt.code}"],
    )

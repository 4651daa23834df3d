"""The receipt (領収書) of a facility booking as a PDF, in the city's one receipt layout (shared/receipt_pdf.py)."""

from __future__ import annotations

from madoguchi.reservations.models import Receipt
from madoguchi.shared import receipt_pdf as layout


def receipt_pdf(receipt: Receipt) -> bytes:
    return layout.receipt_pdf(
        number=receipt.number,
        paid_at=receipt.paid_at,
        amount=receipt.amount,
        refunded=receipt.refunded,
        issuer=receipt.issuer,
        lines=[
            "但し　施設使用料として",
            f"施設：{receipt.facility}",
            f"利用日：{receipt.date:%Y年%m月%d日}",
            *[f"　{slot}" for slot in receipt.slots],
            f"予約番号：{receipt.reservation_id}",
        ],
    )

"""The procedure catalogue (手続): what a resident can do, where, for how much, with what documents."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from madoguchi.shared.departments import DEPARTMENTS
from madoguchi.shared.i18n import Lang, Localized, pick

Channel = Literal["online", "kiosk", "counter"]
Category = Literal["certificate", "notification", "benefit", "permit"]

PROCEDURE_ID_PATTERN = r"^[a-z0-9][a-z0-9-]{0,63}$"
# Whether the law lets the city receive it online: freely, only with the applicant's electronic signature
# (JPKI signing certificate of the My Number card, through a signed service such as Mynaportal), or not at all.
OnlineBasis = Literal["allowed", "e_signature", "counter_only"]


class Volume(BaseModel):
    """How many the city received in a fiscal year (April–March); `estimate` marks figures not yet counted."""

    fiscal_year: int = Field(ge=2000, le=2100)
    count: int = Field(ge=0)
    estimate: bool


class OnlineReceipt(BaseModel):
    basis: OnlineBasis
    law: str = Field(min_length=1, description="The provision that decides it (Japanese)")
    note: Localized
    signed_service_url: str | None = Field(default=None, description="Where a signed online filing is accepted")


class Procedure(BaseModel):
    """A procedure as the city maintains it, in every language it is written in."""

    id: str = Field(pattern=PROCEDURE_ID_PATTERN)
    order: int = Field(default=0, description="Position in listings; lower comes first")
    category: Category
    department: str
    fee_yen: int = Field(ge=0)
    channels: list[Channel] = Field(min_length=1)
    name: Localized
    summary: Localized
    documents: list[Localized] = Field(default_factory=list)
    where: Localized
    deadline: Localized | None = None
    volume: Volume | None = None
    online_receipt: OnlineReceipt | None = None

    @property
    def online_here(self) -> bool:
        """Residents may submit it through Madoguchi's own forms (a signed filing goes elsewhere)."""
        basis = self.online_receipt.basis if self.online_receipt else "allowed"
        return "online" in self.channels and basis == "allowed"


class Department(BaseModel):
    id: str
    name: str


class ProcedureSummary(BaseModel):
    id: str
    name: str
    summary: str
    category: Category
    department: Department
    fee_yen: int = Field(description="Fee in yen; 0 means free")
    channels: list[Channel] = Field(description="Where it can be done; only 'counter' means in person only")
    online_basis: OnlineBasis | None = Field(default=None, description="What the law allows online (the register)")
    online_here: bool = Field(default=False, description="Submitted online through Madoguchi's own forms")
    yearly_volume: int | None = Field(default=None, description="Received in the last fiscal year (may be estimated)")


class OnlineReceiptView(BaseModel):
    basis: OnlineBasis = Field(description="allowed | e_signature (only signed, at signed_service_url) | counter_only")
    note: str
    signed_service_url: str | None


class ProcedureDetail(ProcedureSummary):
    documents: list[str] = Field(description="What to bring or attach")
    where: str = Field(description="Counter and floor")
    deadline: str | None = Field(default=None, description="By when, in words; None when there is no term")
    online_receipt: OnlineReceiptView | None = None
    volume: Volume | None = Field(default=None, description="Received in the last fiscal year, and whether estimated")


class ProcedureList(BaseModel):
    lang: Lang
    procedures: list[ProcedureSummary]


def summarise(p: Procedure, lang: Lang) -> ProcedureSummary:
    return ProcedureSummary(
        id=p.id,
        name=pick(p.name, lang),
        summary=pick(p.summary, lang),
        category=p.category,
        department=Department(id=p.department, name=pick(DEPARTMENTS.get(p.department, {"ja": p.department}), lang)),
        fee_yen=p.fee_yen,
        channels=p.channels,
        online_basis=p.online_receipt.basis if p.online_receipt else None,
        online_here=p.online_here,
        yearly_volume=p.volume.count if p.volume else None,
    )


def detail(p: Procedure, lang: Lang) -> ProcedureDetail:
    return ProcedureDetail(
        **summarise(p, lang).model_dump(),
        documents=[pick(d, lang) for d in p.documents],
        where=pick(p.where, lang),
        deadline=pick(p.deadline, lang) if p.deadline else None,
        online_receipt=OnlineReceiptView(
            basis=p.online_receipt.basis,
            note=pick(p.online_receipt.note, lang),
            signed_service_url=p.online_receipt.signed_service_url,
        )
        if p.online_receipt
        else None,
        volume=p.volume,
    )

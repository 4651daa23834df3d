"""The procedure catalogue (手続): what a resident can do, where, for how much, with what documents."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from madoguchi.shared.departments import DEPARTMENTS
from madoguchi.shared.i18n import Lang, Localized, pick

Channel = Literal["online", "kiosk", "counter"]
Category = Literal["certificate", "notification", "benefit", "permit"]

PROCEDURE_ID_PATTERN = r"^[a-z0-9][a-z0-9-]{0,63}$"


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


class ProcedureDetail(ProcedureSummary):
    documents: list[str] = Field(description="What to bring or attach")
    where: str = Field(description="Counter and floor")


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
    )


def detail(p: Procedure, lang: Lang) -> ProcedureDetail:
    return ProcedureDetail(
        **summarise(p, lang).model_dump(),
        documents=[pick(d, lang) for d in p.documents],
        where=pick(p.where, lang),
    )

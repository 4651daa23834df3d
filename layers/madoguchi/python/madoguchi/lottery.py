"""Lottery (抽選) for popular facilities: a round collects applications for a month's slots during a window,
then one recorded draw allocates each slot; winners pay by a deadline or the slot passes down the waiting list."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from pydantic import BaseModel, Field

from madoguchi.reservations import HHMM


class Round(BaseModel):
    facility_id: str
    month: str = Field(pattern=r"^\d{4}-(0[1-9]|1[0-2])$")
    opens_at: datetime
    closes_at: datetime
    payment_days: int = Field(default=7, ge=1, le=30, description="Days a winner has to pay")
    created_by: str


class RoundRequest(BaseModel):
    opens_at: datetime
    closes_at: datetime
    payment_days: int = Field(default=7, ge=1, le=30)


class ApplicationRequest(BaseModel):
    facility_id: str = Field(pattern=r"^[a-z0-9-]{1,40}$")
    date: date
    unit_id: str = Field(pattern=r"^[a-z0-9-]{1,20}$")
    start: str = Field(pattern=HHMM)
    group_name: str = Field(min_length=1, max_length=100)


class ApplicationResult(StrEnum):
    PENDING = "pending"
    WON = "won"
    WAITING = "waiting"
    LOST = "lost"


class LotteryApplication(BaseModel):
    id: str
    owner: str  # the group's account: one application per group and slot
    group_name: str
    facility_id: str
    month: str
    date: date
    unit_id: str
    start: str
    created_at: datetime

    @property
    def slot_key(self) -> str:
        return slot_key(self.date, self.unit_id, self.start)


def slot_key(day: date, unit_id: str, start: str) -> str:
    return f"{day.isoformat()}#{unit_id}#{start}"


class Draw(BaseModel):
    facility_id: str
    month: str
    seed: int = Field(description="Recorded so anyone can replay the draw")
    drawn_at: datetime
    drawn_by: str
    # slot key -> owners in drawn order: the first wins, the others wait in that order
    order: dict[str, list[str]]
    # slot key -> index in `order` of the owner currently offered the slot
    offered: dict[str, int] = Field(default_factory=dict)


class DrawResult(BaseModel):
    facility_id: str
    month: str
    seed: int
    winners: int
    waiting: int
    reservations: list[str]


class ApplicationView(BaseModel):
    application: LotteryApplication
    result: ApplicationResult
    position: int | None = Field(default=None, description="Place on the waiting list (1 = next)")


class ApplicationList(BaseModel):
    applications: list[ApplicationView]

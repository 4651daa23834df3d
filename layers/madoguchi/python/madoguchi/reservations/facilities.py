"""Public facilities (公共施設) that residents book: units, hours, closed days, slots and prices."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, Field, field_validator

from madoguchi.shared.i18n import Localized

TIME = r"^([01]\d|2[0-3]):[0-5]\d$"


class FacilityKind(StrEnum):
    GYM = "gym"
    HALL = "hall"
    MEETING_ROOM = "meeting_room"
    GROUND = "ground"
    COURT = "court"
    STUDIO = "studio"


class Residency(StrEnum):
    RESIDENT = "resident"  # lives, works or studies in the city (市内)
    NONRESIDENT = "nonresident"  # 市外


class Unit(BaseModel):
    id: str = Field(pattern=r"^[a-z0-9-]{1,20}$", description="e.g. court-a")
    name: Localized


class Prices(BaseModel):
    """Yen per slot. Weekend prices apply on Saturdays, Sundays and national holidays."""

    resident_weekday: int = Field(ge=0)
    resident_weekend: int = Field(ge=0)
    nonresident_weekday: int = Field(ge=0)
    nonresident_weekend: int = Field(ge=0)


class Facility(BaseModel):
    id: str = Field(pattern=r"^[a-z0-9-]{1,40}$")
    name: Localized
    kind: FacilityKind
    address: str
    description: Localized = Field(default_factory=dict)
    units: list[Unit] = Field(min_length=1)
    opens: str = Field(pattern=TIME, description="First slot starts, Asia/Tokyo, HH:MM")
    closes: str = Field(pattern=TIME, description="Last slot ends, Asia/Tokyo, HH:MM")
    slot_minutes: int = Field(ge=30, le=480)
    capacity: int = Field(ge=1, description="People per unit")
    closed_weekdays: list[int] = Field(default_factory=list, description="0 = Monday … 6 = Sunday")
    closed_dates: list[date] = Field(default_factory=list, description="Extra closed days (年末年始, inspections)")
    prices: Prices
    lottery: bool = Field(default=False, description="Next month's slots are allocated by lottery (抽選)")
    # Per-account limits (issue 13, flaw 6): one resident cannot sit on a whole facility.
    max_holds: int = Field(default=10, ge=1, le=50, description="Unpaid holds one account may have here at once")
    max_open: int = Field(
        default=30, ge=1, le=200, description="Held + confirmed reservations for days to come, per account"
    )
    max_lottery_entries: int = Field(default=10, ge=1, le=200, description="Lottery entries per account and round")

    @field_validator("closed_weekdays")
    @classmethod
    def _weekdays(cls, value: list[int]) -> list[int]:
        if any(d < 0 or d > 6 for d in value):
            raise ValueError("weekday out of range")
        return sorted(set(value))

    def slot_starts(self) -> list[str]:
        start = datetime.combine(date.min, time.fromisoformat(self.opens))
        end = datetime.combine(date.min, time.fromisoformat(self.closes))
        starts = []
        while start + timedelta(minutes=self.slot_minutes) <= end:
            starts.append(start.strftime("%H:%M"))
            start += timedelta(minutes=self.slot_minutes)
        return starts

    def unit(self, unit_id: str) -> Unit | None:
        return next((u for u in self.units if u.id == unit_id), None)

    def is_closed(self, day: date) -> bool:
        return day.weekday() in self.closed_weekdays or day in self.closed_dates or _year_end(day)

    def price(self, day: date, residency: Residency) -> int:
        import jpholiday  # ~30 ms to import: paid on the first price asked, not at every cold start

        weekend = day.weekday() >= 5 or jpholiday.is_holiday(day)
        if residency is Residency.RESIDENT:
            return self.prices.resident_weekend if weekend else self.prices.resident_weekday
        return self.prices.nonresident_weekend if weekend else self.prices.nonresident_weekday


def _year_end(day: date) -> bool:
    """年末年始: every city facility closes 29 December – 3 January."""
    return (day.month == 12 and day.day >= 29) or (day.month == 1 and day.day <= 3)


class FacilitySummary(BaseModel):
    id: str
    name: str
    kind: FacilityKind
    address: str
    description: str
    units: list[dict[str, str]]
    opens: str
    closes: str
    slot_minutes: int
    capacity: int
    closed_weekdays: list[int]
    prices: Prices
    lottery: bool


class FacilityList(BaseModel):
    facilities: list[FacilitySummary]


SlotState = Literal["free", "held", "booked", "closed"]


class SlotView(BaseModel):
    unit_id: str
    start: str = Field(description="HH:MM, Asia/Tokyo")
    end: str
    state: SlotState
    price: int = Field(description="Yen for a resident on this day; see prices for non-residents")


class Availability(BaseModel):
    facility_id: str
    date: date
    closed: bool = Field(description="The whole facility is closed that day")
    lottery: bool = Field(description="This day is allocated by lottery: apply instead of booking")
    slots: list[SlotView]


class DaySummary(BaseModel):
    date: date
    closed: bool
    free: int
    taken: int


class MonthView(BaseModel):
    facility_id: str
    month: str
    days: list[DaySummary]


def slot_end(facility: Facility, start: str) -> str:
    """When a slot starting at `start` (HH:MM) ends."""
    end = datetime.combine(date.min, time.fromisoformat(start)) + timedelta(minutes=facility.slot_minutes)
    return end.strftime("%H:%M")

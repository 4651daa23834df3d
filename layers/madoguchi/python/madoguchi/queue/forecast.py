"""The learned congestion calendar: calendar facts of a day, a light model of arrivals fitted by least squares on
the stored daily aggregates, and its predictions per day × time band as 空いている / やや混雑 / 混雑.

Model (per counter): log(arrivals + 1) = β·x and log(mean wait) = γ·x, where x holds an intercept, the time band,
the weekday, month end, month start, the moving season, the first open day after a holiday or long weekend, 大安
and 友引 (one-hot features). exp(β) is the multiplicative effect of each feature on arrivals, readable by staff;
exp(γ·x) is the expected (median) wait shown in the calendar. Closed days
(weekends, public holidays, 12/29–1/3) get no prediction. Plain Python: the normal equations are accumulated
sparsely and solved by Gaussian elimination (13 unknowns), so the nightly job needs no numerical library.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from typing import Any, Literal

import jpholiday

from madoguchi.queue.models import BANDS, COUNTERS, DayStats
from madoguchi.queue.rokuyo import rokuyo

Level = Literal["low", "medium", "high"]
LEVEL_NAMES = {"low": "空いている", "medium": "やや混雑", "high": "混雑"}
FEATURES = (
    "intercept",
    "band_midday",
    "band_afternoon",
    "tue",
    "wed",
    "thu",
    "fri",
    "month_end",
    "month_start",
    "moving_season",
    "after_holiday",
    "taian",
    "tomobiki",
)


@dataclass(frozen=True)
class DayFacts:
    day: date
    closed: bool
    holiday: str | None
    month_end: bool
    month_start: bool
    moving_season: bool
    after_holiday: bool
    rokuyo: str


@lru_cache(maxsize=8192)
def is_closed(day: date) -> bool:
    return day.weekday() >= 5 or jpholiday.is_holiday(day) or (day.month, day.day) in CLOSED_NEW_YEAR


CLOSED_NEW_YEAR = {(12, 29), (12, 30), (12, 31), (1, 1), (1, 2), (1, 3)}


def _open_days(year: int, month: int) -> list[date]:
    first = date(year, month, 1)
    days = []
    d = first
    while d.month == month:
        if not is_closed(d):
            days.append(d)
        d += timedelta(days=1)
    return days


@lru_cache(maxsize=8192)
def facts(day: date) -> DayFacts:
    closed = is_closed(day)
    holiday = jpholiday.is_holiday_name(day)
    if (day.month, day.day) in CLOSED_NEW_YEAR and not holiday:
        holiday = "年末年始"
    open_days = _open_days(day.year, day.month)
    run, d = 0, day - timedelta(days=1)
    weekday_closed = False
    while is_closed(d) and run < 10:
        run += 1
        weekday_closed = weekday_closed or d.weekday() < 5
        d -= timedelta(days=1)
    return DayFacts(
        day=day,
        closed=closed,
        holiday=holiday,
        month_end=not closed and day in open_days[-3:],
        month_start=not closed and day in open_days[:2],
        moving_season=(day.month == 3 and day.day >= 20) or (day.month == 4 and day.day <= 10),
        after_holiday=not closed and (run >= 3 or weekday_closed),
        rokuyo=rokuyo(day),
    )


def features(f: DayFacts, band: str) -> list[int]:
    """Indices of FEATURES that are 1 for this day and band (all others are 0)."""
    on = [0]
    if band == "midday":
        on.append(1)
    elif band == "afternoon":
        on.append(2)
    wd = f.day.weekday()
    if 1 <= wd <= 4:
        on.append(2 + wd)
    for i, flag in (
        (7, f.month_end),
        (8, f.month_start),
        (9, f.moving_season),
        (10, f.after_holiday),
        (11, f.rokuyo == "大安"),
        (12, f.rokuyo == "友引"),
    ):
        if flag:
            on.append(i)
    return on


def _solve(a: list[list[float]], b: list[float]) -> list[float]:
    n = len(b)
    m = [[*row, b[i]] for i, row in enumerate(a)]
    for col in range(n):
        pivot = max(range(col, n), key=lambda r: abs(m[r][col]))
        m[col], m[pivot] = m[pivot], m[col]
        if abs(m[col][col]) < 1e-12:
            continue
        for r in range(n):
            if r != col and m[r][col]:
                factor = m[r][col] / m[col][col]
                for c in range(col, n + 1):
                    m[r][c] -= factor * m[col][c]
    return [m[i][n] / m[i][i] if abs(m[i][i]) > 1e-12 else 0.0 for i in range(n)]


@dataclass
class CounterModel:
    counter: str
    beta: list[float]
    gamma: list[float]
    rows: int

    def arrivals(self, f: DayFacts, band: str) -> float:
        return math.exp(sum(self.beta[i] for i in features(f, band))) - 1

    def wait(self, f: DayFacts, band: str) -> float:
        return math.exp(sum(self.gamma[i] for i in features(f, band)))

    def effects(self) -> dict[str, float]:
        return {name: round(math.exp(b), 3) for name, b in zip(FEATURES, self.beta, strict=True) if name != "intercept"}


class _Normal:
    """Normal equations XᵀX β = Xᵀy of a one-hot design, accumulated sparsely."""

    def __init__(self, n: int) -> None:
        self.xtx = [[0.0] * n for _ in range(n)]
        self.xty = [0.0] * n

    def add(self, on: list[int], y: float) -> None:
        for i in on:
            self.xty[i] += y
            for j in on:
                self.xtx[i][j] += 1

    def solve(self, ridge: float) -> list[float]:
        for i in range(len(self.xty)):
            self.xtx[i][i] += ridge
        return _solve(self.xtx, self.xty)


def fit(counter: str, history: Iterable[DayStats], ridge: float = 1e-3) -> CounterModel:
    arrivals, waits = _Normal(len(FEATURES)), _Normal(len(FEATURES))
    rows = 0
    for stats in history:
        f = facts(stats.day)
        if f.closed:
            continue
        for band, _, _ in BANDS:
            b = stats.bands.get(band)
            if b is None:
                continue
            on = features(f, band)
            arrivals.add(on, math.log(b.tickets + 1))
            if b.served:
                waits.add(on, math.log(max(0.5, b.wait_seconds_sum / b.served / 60)))
            rows += 1
    return CounterModel(counter=counter, beta=arrivals.solve(ridge), gamma=waits.solve(ridge), rows=rows)


def level_of(wait: float) -> Level:
    return "low" if wait < 20 else "medium" if wait < 45 else "high"


def predict_month(models: dict[str, CounterModel], month: str) -> dict[str, Any]:
    """The calendar of a month: per day its facts and per band the level and expected wait (city-wide = the
    busiest counter, and per counter)."""
    year, mon = int(month[:4]), int(month[5:7])
    days = []
    d = date(year, mon, 1)
    while d.month == mon:
        f = facts(d)
        entry: dict[str, Any] = {
            "date": d.isoformat(),
            "closed": f.closed,
            "holiday": f.holiday,
            "rokuyo": f.rokuyo,
            "bands": [],
        }
        if not f.closed:
            for band, start, end in BANDS:
                per: dict[str, dict[str, Any]] = {}
                for cid, model in models.items():
                    wait = model.wait(f, band)
                    per[cid] = {"level": level_of(wait), "wait_minutes": round(wait)}
                busiest = (
                    max(per.values(), key=lambda p: p["wait_minutes"]) if per else {"level": "low", "wait_minutes": 0}
                )
                entry["bands"].append(
                    {
                        "band": band,
                        "start": start,
                        "end": end,
                        "level": busiest["level"],
                        "wait_minutes": busiest["wait_minutes"],
                        "counters": per,
                    }
                )
        days.append(entry)
        d += timedelta(days=1)
    return {"month": month, "days": days}


def learn(history_by_counter: dict[str, list[DayStats]]) -> dict[str, CounterModel]:
    return {cid: fit(cid, rows) for cid, rows in history_by_counter.items() if rows and cid in COUNTERS}


def band_wait(stats: DayStats, band: str) -> float | None:
    b = stats.bands.get(band)
    return b.wait_seconds_sum / b.served / 60 if b and b.served else None

"""六曜 (rokuyō) from the old Japanese lunisolar calendar (旧暦, the 天保暦 rules), computed in Asia/Tokyo.

No well-kept library for the Japanese 旧暦 is on PyPI (Chinese-calendar libraries use UTC+8 and differ from the
Japanese calendar on days whose new moon falls between 15:00 and 16:00 UTC). The documented algorithm:

1. New moons (朔) from Meeus, *Astronomical Algorithms* (2nd ed.), ch. 49, with the 25 main periodic terms
   (error below a minute; planetary terms of < 30 s omitted) and ΔT ≈ 69 s.
2. The sun's apparent longitude from Meeus ch. 25 (low accuracy, about 0.01°, i.e. ~15 minutes).
3. A lunar month runs from the Tokyo date of one new moon to the day before the next. Its number is given by the
   中気 (principal term, a multiple of 30° of solar longitude) it contains: 雨水 330° → month 1, 春分 0° → 2,
   …, 冬至 270° → 11, 大寒 300° → 12. A month without a 中気 is the leap month (閏月) of the month before it.
4. 六曜 = (month + day) mod 6 → 大安, 赤口, 先勝, 友引, 先負, 仏滅 (so every 1st day of the 1st month is 先勝).

Limits, documented: the rare years where a month holds two 中気 (the "2033 problem") need the extra 天保暦
rule that the 11th month contains 冬至; this simple rule numbers months there differently from the published
calendars for a few months in 2033–2034. Days whose new moon or 中気 falls within ~15 minutes of midnight could
differ from the 国立天文台 tables.
"""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

TOKYO = ZoneInfo("Asia/Tokyo")
NAMES = ("大安", "赤口", "先勝", "友引", "先負", "仏滅")
ROMAJI = ("taian", "shakko", "sensho", "tomobiki", "senbu", "butsumetsu")
LUCKY = frozenset({"大安"})  # the day weddings and birth registrations crowd to (友引 too, for weddings, lesser)
_JD_UNIX_EPOCH = 2440587.5
_DELTA_T_DAYS = 69.0 / 86400


def _sin(deg: float) -> float:
    return math.sin(math.radians(deg))


def _new_moon_jde(k: int) -> float:
    """Julian Ephemeris Day of new moon number k (k = 0 near 2000-01-06), Meeus ch. 49."""
    t = k / 1236.85
    jde = 2451550.09766 + 29.530588861 * k + 0.00015437 * t**2 - 0.000000150 * t**3 + 0.00000000073 * t**4
    e = 1 - 0.002516 * t - 0.0000074 * t**2
    m = 2.5534 + 29.10535670 * k - 0.0000014 * t**2 - 0.00000011 * t**3
    mp = 201.5643 + 385.81693528 * k + 0.0107582 * t**2 + 0.00001238 * t**3 - 0.000000058 * t**4
    f = 160.7108 + 390.67050284 * k - 0.0016118 * t**2 - 0.00000227 * t**3 + 0.000000011 * t**4
    om = 124.7746 - 1.56375588 * k + 0.0020672 * t**2 + 0.00000215 * t**3
    jde += (
        -0.40720 * _sin(mp)
        + 0.17241 * e * _sin(m)
        + 0.01608 * _sin(2 * mp)
        + 0.01039 * _sin(2 * f)
        + 0.00739 * e * _sin(mp - m)
        - 0.00514 * e * _sin(mp + m)
        + 0.00208 * e * e * _sin(2 * m)
        - 0.00111 * _sin(mp - 2 * f)
        - 0.00057 * _sin(mp + 2 * f)
        + 0.00056 * e * _sin(2 * mp + m)
        - 0.00042 * _sin(3 * mp)
        + 0.00042 * e * _sin(m + 2 * f)
        + 0.00038 * e * _sin(m - 2 * f)
        - 0.00024 * e * _sin(2 * mp - m)
        - 0.00017 * _sin(om)
        - 0.00007 * _sin(mp + 2 * m)
        + 0.00004 * _sin(2 * mp - 2 * f)
        + 0.00004 * _sin(3 * m)
        + 0.00003 * _sin(mp + m - 2 * f)
        + 0.00003 * _sin(2 * mp + 2 * f)
        - 0.00003 * _sin(mp + m + 2 * f)
        + 0.00003 * _sin(mp - m + 2 * f)
        - 0.00002 * _sin(mp - m - 2 * f)
        - 0.00002 * _sin(3 * mp + m)
        + 0.00002 * _sin(4 * mp)
    )
    return jde


def _jd_to_tokyo_date(jd: float) -> date:
    instant = datetime.fromtimestamp((jd - _JD_UNIX_EPOCH) * 86400, tz=UTC)
    return instant.astimezone(TOKYO).date()


def _tokyo_midnight_jd(day: date) -> float:
    instant = datetime(day.year, day.month, day.day, tzinfo=TOKYO).astimezone(UTC)
    return instant.timestamp() / 86400 + _JD_UNIX_EPOCH


def solar_longitude(jd: float) -> float:
    """The sun's apparent longitude in degrees at Julian Day jd (UT), Meeus ch. 25."""
    t = (jd + _DELTA_T_DAYS - 2451545.0) / 36525
    l0 = 280.46646 + 36000.76983 * t + 0.0003032 * t * t
    m = 357.52911 + 35999.05029 * t - 0.0001537 * t * t
    c = (
        (1.914602 - 0.004817 * t - 0.000014 * t * t) * _sin(m)
        + (0.019993 - 0.000101 * t) * _sin(2 * m)
        + 0.000289 * _sin(3 * m)
    )
    omega = 125.04 - 1934.136 * t
    return (l0 + c - 0.00569 - 0.00478 * _sin(omega)) % 360


@lru_cache(maxsize=4096)
def _new_moon_date(k: int) -> date:
    return _jd_to_tokyo_date(_new_moon_jde(k) - _DELTA_T_DAYS)


def _k_near(day: date) -> int:
    return math.floor((day - date(2000, 1, 6)).days / 29.530588861)


def _month_number(start: date, end: date) -> int | None:
    """Lunar month number of the month [start, end) from the 中気 it contains, or None (a leap month)."""
    a = solar_longitude(_tokyo_midnight_jd(start))
    b = solar_longitude(_tokyo_midnight_jd(end))
    sector_a, sector_b = math.floor(a / 30), math.floor(b / 30)
    if sector_a == sector_b:
        return None
    term = sector_b  # the 中気 crossed: longitude sector_b * 30 degrees
    return (term + 2 - 1) % 12 + 1


@lru_cache(maxsize=8192)
def lunar_date(day: date) -> tuple[int, int, bool]:
    """(month, day, leap) of the old calendar for a Gregorian date (Asia/Tokyo)."""
    k = _k_near(day) + 1
    while _new_moon_date(k) > day:
        k -= 1
    start, end = _new_moon_date(k), _new_moon_date(k + 1)
    month = _month_number(start, end)
    leap = month is None
    back = k
    while month is None:  # a leap month takes the number of the month before it
        back -= 1
        month = _month_number(_new_moon_date(back), _new_moon_date(back + 1))
    return month, (day - start).days + 1, leap


def rokuyo(day: date) -> str:
    month, d, _ = lunar_date(day)
    return NAMES[(month + d) % 6]


def is_lucky(day: date) -> bool:
    return rokuyo(day) in LUCKY


def days_of(year: int, month: int) -> list[date]:
    first = date(year, month, 1)
    nxt = date(year + month // 12, month % 12 + 1, 1)
    return [first + timedelta(days=i) for i in range((nxt - first).days)]

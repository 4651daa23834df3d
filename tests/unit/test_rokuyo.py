"""六曜 from the old calendar, checked against published dates (旧正月 and leap months from the 国立天文台
暦要項 tables; 六曜 of New Year's Days as printed in Japanese calendars)."""

from __future__ import annotations

from datetime import date

import pytest

from madoguchi.queue.rokuyo import lunar_date, rokuyo

# 旧暦 1月1日 (always 先勝)
LUNAR_NEW_YEAR = [
    "2017-01-28",
    "2018-02-16",
    "2019-02-05",
    "2020-01-25",
    "2021-02-12",
    "2022-02-01",
    "2023-01-22",
    "2024-02-10",
    "2025-01-29",
    "2026-02-17",
]
# First days of leap months (閏月)
LEAP_MONTHS = [("2014-10-24", 9), ("2017-06-24", 5), ("2020-05-23", 4), ("2023-03-22", 2), ("2025-07-25", 6)]
# 元日の六曜
NEW_YEARS_DAY = [("2024-01-01", "赤口"), ("2025-01-01", "先勝"), ("2026-01-01", "大安")]


@pytest.mark.parametrize("day", LUNAR_NEW_YEAR)
def test_lunar_new_year_is_the_first_day_of_the_first_month_and_sensho(day: str) -> None:
    d = date.fromisoformat(day)
    assert lunar_date(d) == (1, 1, False)
    assert rokuyo(d) == "先勝"


@pytest.mark.parametrize(("day", "month"), LEAP_MONTHS)
def test_leap_months_start_where_published(day: str, month: int) -> None:
    assert lunar_date(date.fromisoformat(day)) == (month, 1, True)


@pytest.mark.parametrize(("day", "name"), NEW_YEARS_DAY)
def test_new_years_day(day: str, name: str) -> None:
    assert rokuyo(date.fromisoformat(day)) == name


def test_the_six_names_cycle_within_a_month() -> None:
    d = date(2026, 2, 17)
    names = [rokuyo(date.fromordinal(d.toordinal() + i)) for i in range(6)]
    assert names == ["先勝", "友引", "先負", "仏滅", "大安", "赤口"]

"""The forecast learns the effects the generated history was given, and beats the same-weekday baseline."""

from __future__ import annotations

from datetime import date

import pytest

from infra.seed.history import Effects, generate
from madoguchi.queue import forecast
from madoguchi.queue.calendar import nightly
from madoguchi.queue.forecast import facts
from tests.bench.queue import forecast_mae
from tests.fakes.queue import MemoryQueueStore


@pytest.fixture(scope="module")
def models() -> dict[str, forecast.CounterModel]:
    history = generate(date(2022, 1, 1), date(2024, 12, 31), seed=7)
    by: dict[str, list] = {}
    for s in history:
        by.setdefault(s.counter, []).append(s)
    return forecast.learn(by)


def test_calendar_facts() -> None:
    assert facts(date(2026, 1, 1)).closed and facts(date(2026, 1, 1)).holiday == "元日"
    assert facts(date(2026, 12, 29)).closed and facts(date(2026, 11, 28)).closed  # 年末, a Saturday
    assert facts(date(2026, 1, 13)).after_holiday  # Tuesday after 成人の日 (a long weekend)
    assert not facts(date(2026, 1, 19)).after_holiday  # an ordinary Monday
    assert facts(date(2026, 3, 31)).month_end and facts(date(2026, 3, 31)).moving_season
    assert facts(date(2026, 4, 1)).month_start


def test_it_finds_the_effects_it_was_given(models: dict[str, forecast.CounterModel]) -> None:
    e = Effects()
    cert, idou = models["shimin_cert"].effects(), models["shimin_idou"].effects()
    koseki = models["shimin_koseki"].effects()
    assert cert["month_end"] == pytest.approx(e.month_end, rel=0.1)
    assert cert["month_start"] == pytest.approx(e.month_start, rel=0.1)
    assert cert["after_holiday"] == pytest.approx(e.after_holiday, rel=0.1)
    assert cert["moving_season"] == pytest.approx(e.moving, rel=0.1)
    assert idou["moving_season"] == pytest.approx(e.moving * e.moving_idou, rel=0.12)
    assert cert["tue"] == pytest.approx(e.weekday[1] / e.weekday[0], rel=0.1)
    assert koseki["taian"] == pytest.approx(e.taian * e.taian_koseki, rel=0.15)
    assert koseki["tomobiki"] == pytest.approx(e.tomobiki_koseki, rel=0.15)
    assert cert["tomobiki"] == pytest.approx(1.0, abs=0.06)  # no effect given, none found


def test_it_beats_the_same_weekday_baseline_on_held_out_weeks() -> None:
    model, baseline = forecast_mae(seed=11)
    assert model < baseline * 0.8


def test_nightly_writes_the_coming_months_with_levels() -> None:
    store = MemoryQueueStore()
    for s in generate(date(2024, 1, 1), date(2026, 2, 27), seed=3):
        store.put_day_stats(s)
    result = nightly(store, date(2026, 2, 28))
    assert result["months"] == ["2026-02", "2026-03", "2026-04"]
    march = store.forecast("2026-03")
    assert march is not None
    days = {d["date"]: d for d in march["days"]}
    assert days["2026-03-20"]["closed"] and days["2026-03-20"]["holiday"] == "春分の日"
    busy_end = days["2026-03-31"]["bands"][0]["counters"]["shimin_idou"]["wait_minutes"]
    quiet = days["2026-03-11"]["bands"][0]["counters"]["shimin_idou"]["wait_minutes"]
    assert busy_end > quiet and {b["level"] for d in march["days"] for b in d["bands"]} >= {"low", "medium"}

"""The draw: reproducible from its seed, independent of input order, one entry per group, and fair."""

from __future__ import annotations

import random
from collections import Counter
from datetime import UTC, date, datetime

from madoguchi.reservations.lottery import draw_order
from madoguchi.reservations.models import LotteryApplication


def application(owner: str, day: int = 5, start: str = "09:00", unit: str = "full") -> LotteryApplication:
    return LotteryApplication(
        id=f"{owner}-{day}-{start}",
        owner=owner,
        group_name=owner,
        facility_id="yokkaichi-dome",
        month="2030-01",
        date=date(2030, 1, day),
        unit_id=unit,
        start=start,
        created_at=datetime(2029, 12, 1, tzinfo=UTC),
    )


def test_same_seed_same_result_whatever_the_order_of_applications():
    apps = [application(f"group-{i}", day=5 + i % 3) for i in range(30)]
    shuffled = apps[:]
    random.Random(1).shuffle(shuffled)
    assert draw_order(apps, 12345) == draw_order(shuffled, 12345)
    assert draw_order(apps, 12345) != draw_order(apps, 54321)


def test_a_group_appears_once_per_slot_and_every_applicant_is_ranked():
    apps = [application("a"), application("a"), application("b"), application("c", start="12:00")]
    order = draw_order(apps, 7)
    assert sorted(order["2030-01-05#full#09:00"]) == ["a", "b"]
    assert order["2030-01-05#full#12:00"] == ["c"]


def test_every_group_wins_equally_often_over_many_seeded_draws():
    # Fairness: with 5 groups on one slot, each wins ~1/5 of 5000 draws with fixed seeds 0..4999.
    apps = [application(f"group-{i}") for i in range(5)]
    wins = Counter(draw_order(apps, seed)["2030-01-05#full#09:00"][0] for seed in range(5000))
    expected = 5000 / 5
    chi_square = sum((wins[f"group-{i}"] - expected) ** 2 / expected for i in range(5))
    assert chi_square < 18.47  # chi-square, 4 degrees of freedom, p = 0.001


def test_position_on_the_waiting_list_is_uniform_too():
    apps = [application(f"group-{i}") for i in range(4)]
    last = Counter(draw_order(apps, seed)["2030-01-05#full#09:00"][-1] for seed in range(4000))
    expected = 1000
    chi_square = sum((last[f"group-{i}"] - expected) ** 2 / expected for i in range(4))
    assert chi_square < 16.27  # 3 degrees of freedom, p = 0.001

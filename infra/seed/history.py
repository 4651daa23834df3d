"""Realistic ticket history with known effects: the demo data of the congestion calendar and the ground truth
its tests check the forecast against.

Arrivals per counter, day and time band are Poisson with a mean that multiplies known effects (weekday, month
end and start, the March–April moving season, the first open day after a holiday or long weekend, 大安 and
友引, time band); waits follow from the load of the band. Closed days (weekends, public holidays, 12/29–1/3)
have no tickets.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from madoguchi.queue.forecast import DayFacts, facts
from madoguchi.queue.models import BANDS, COUNTERS, BandStats, DayStats, ServiceStats

BAND_MINUTES = {"morning": 150, "midday": 180, "afternoon": 195}


@dataclass(frozen=True)
class Effects:
    """Multiplicative effects on arrivals (1.0 = none)."""

    base: dict[str, float] = field(
        default_factory=lambda: {
            "shimin_cert": 30.0,
            "shimin_idou": 10.0,
            "shimin_koseki": 4.0,
            "hoken": 12.0,
            "zei": 8.0,
            "kodomo": 8.0,
            "okuyami": 2.0,
        }
    )
    band: dict[str, float] = field(default_factory=lambda: {"morning": 1.15, "midday": 1.0, "afternoon": 0.8})
    weekday: tuple[float, ...] = (1.35, 1.0, 0.95, 0.9, 1.1)  # Monday .. Friday
    month_end: float = 1.3
    month_start: float = 1.25
    moving: float = 1.5  # all counters; the 転入・転出 counter gets moving_idou on top
    moving_idou: float = 1.6
    after_holiday: float = 1.4
    taian: float = 1.15  # all counters; the 戸籍届出 counter gets taian_koseki on top
    taian_koseki: float = 2.2
    tomobiki_koseki: float = 1.4


def arrival_mean(counter: str, f: DayFacts, band: str, e: Effects) -> float:
    m = e.base[counter] * e.band[band] * e.weekday[f.day.weekday()]
    if f.month_end:
        m *= e.month_end
    if f.month_start:
        m *= e.month_start
    if f.moving_season:
        m *= e.moving * (e.moving_idou if counter == "shimin_idou" else 1.0)
    if f.after_holiday:
        m *= e.after_holiday
    if f.rokuyo == "大安":
        m *= e.taian * (e.taian_koseki if counter == "shimin_koseki" else 1.0)
    if f.rokuyo == "友引" and counter == "shimin_koseki":
        m *= e.tomobiki_koseki
    return m


def wait_minutes(counter: str, band: str, arrivals: float) -> float:
    """Mean wait of a band from its load (arrivals × service time over desk time), as an M/M/c-like curve."""
    c = COUNTERS[counter]
    service = sum(s.minutes for s in c.services) / len(c.services)
    rho = min(0.95, arrivals * service / (c.desks * BAND_MINUTES[band]))
    return 2 + service * rho / (1 - rho)


def generate(
    start: date, end: date, seed: int = 1, effects: Effects | None = None, counters: tuple[str, ...] | None = None
) -> list[DayStats]:
    """Daily aggregates of every open day in [start, end], as the live system stores them."""
    e = effects or Effects()
    rng = random.Random(seed)
    out: list[DayStats] = []
    day = start
    while day <= end:
        f = facts(day)
        if not f.closed:
            for cid in counters or tuple(COUNTERS):
                c = COUNTERS[cid]
                stats = DayStats(counter=cid, day=day)
                counts = {band: _poisson(rng, arrival_mean(cid, f, band, e)) for band, _, _ in BANDS}
                day_mean = sum(counts.values()) / len(counts)
                for band, _, _ in BANDS:
                    n = counts[band]
                    # A queue carries over between bands: the wait follows the band's and the day's load.
                    load = 0.5 * n + 0.5 * day_mean * e.band[band] / (sum(e.band.values()) / len(e.band))
                    wait = max(0.0, wait_minutes(cid, band, load) * rng.lognormvariate(0, 0.1))
                    stats.tickets += n
                    no_show = sum(1 for _ in range(n) if rng.random() < 0.03)
                    served = n - no_show
                    stats.served += served
                    stats.no_show += no_show
                    stats.bands[band] = BandStats(tickets=n, served=served, wait_seconds_sum=int(wait * 60 * served))
                    for _ in range(served):
                        s = rng.choice(c.services)
                        agg = stats.services.setdefault(s.id, ServiceStats())
                        agg.served += 1
                        agg.wait_seconds_sum += int(wait * 60)
                        agg.service_seconds_sum += int(s.minutes * 60 * rng.lognormvariate(0, 0.3))
                out.append(stats)
        day += timedelta(days=1)
    return out


def _poisson(rng: random.Random, mean: float) -> int:
    if mean > 30:
        return max(0, round(rng.gauss(mean, math.sqrt(mean))))
    limit, k, p = math.exp(-mean), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1

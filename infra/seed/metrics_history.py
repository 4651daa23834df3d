"""Demo history for the metrics table: twelve past months of figures per register procedure × channel, built from
rules with known properties so `make run` shows meaningful figures and tests can check them against the rules.

The rules (deterministic, no randomness):
- a month receives the register's yearly volume / 12, ×1.5 in March and ×1.6 in April for procedures that
  follow moves (転入・転出・転居, 国民健康保険, 児童手当, 住民票);
- the online share of a procedure allowed online grows linearly from 10 % twelve months ago to 32 % last month;
  a signed-only procedure (e_signature) is 8 % online; kiosks take 35 % of the certificates they offer; the
  one-stop counter takes half of death notifications and 30 % of moving-in notifications; the counter the rest;
- 2 % of online receipts are returned and 0.5 % of all receipts rejected; the rest are completed the same month;
- lead times are spread evenly over a range per kind of work (LEAD_MINUTES); handling takes a fixed share of
  it (at most HANDLING_CAP_MINUTES); waiting is the rest;
- a procedure with a fee is paid for on each receipt online and at a kiosk (`payment_succeeded` = received);
  besides, FAILED_PAYMENT_SHARE of that many payments end unpaid (checkouts left to expire, cards declined);
- the FAQ chat hands questions to a person (`handed_off`, pseudo-procedure `faq`): on the site from 240 twelve
  months ago down to 150 last month (the FAQ grows), on LINE from 40 up to 80 (more residents use LINE).
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from madoguchi.metrics.models import BUCKET_BOUNDS_MINUTES, BUCKETS, TOKYO, Channel, Counters
from madoguchi.metrics.store import MetricsStore
from madoguchi.procedures.models import Procedure

MONTHS = 12
MOVING = {
    "tennyu-todoke",
    "tenshutsu-todoke",
    "tenkyo-todoke",
    "kokuho-kanyu",
    "kokuho-dattai",
    "jido-teate",
    "juminhyo",
}
# (lowest, highest) lead time in minutes by channel and procedure category
LEAD_MINUTES: dict[tuple[str, str], tuple[float, float]] = {
    ("kiosk", "certificate"): (1, 5),
    ("counter", "certificate"): (8, 40),
    ("online", "certificate"): (1440, 4320),
    ("counter", "notification"): (20, 90),
    ("onestop", "notification"): (30, 120),
    ("online", "notification"): (1440, 7200),
    ("counter", "benefit"): (10080, 43200),
    ("online", "benefit"): (7200, 30240),
    ("counter", "permit"): (7200, 20160),
    ("online", "permit"): (4320, 14400),
}
FAILED_PAYMENT_SHARE: dict[Channel, float] = {"online": 0.04, "kiosk": 0.015}
FAQ_HANDOFFS: dict[Channel, tuple[int, int]] = {"online": (240, 150), "line": (40, 80)}  # (first month, last)
HANDLING_SHARE = 0.6
HANDLING_CAP_MINUTES = 45.0


def past_months(today: date, count: int = MONTHS) -> list[str]:
    months = []
    year, month = today.year, today.month
    for _ in range(count):
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
        months.append(f"{year:04d}-{month:02d}")
    return months[::-1]


def shares(p: Procedure, index: int, count: int) -> dict[Channel, float]:
    basis = p.online_receipt.basis if p.online_receipt else "allowed"
    online = 0.0
    if "online" in p.channels:
        online = 0.08 if basis == "e_signature" else 0.10 + 0.22 * index / max(1, count - 1)
    kiosk = 0.35 if "kiosk" in p.channels else 0.0
    onestop = {"shibo-todoke": 0.5, "tennyu-todoke": 0.3}.get(p.id, 0.0)
    found: dict[Channel, float] = {"online": online, "kiosk": kiosk, "onestop": onestop}
    found["counter"] = 1.0 - online - kiosk - onestop
    return {c: s for c, s in found.items() if s > 0}


def spread(total: int, low: float, high: float) -> list[int]:
    """`total` values spread evenly over [low, high] minutes, as bucket counts (largest remainder rounding)."""
    edges = [0.0, *BUCKET_BOUNDS_MINUTES, float("inf")]
    exact = []
    for i in range(BUCKETS):
        overlap = max(0.0, min(high, edges[i + 1]) - max(low, edges[i]))
        exact.append(total * overlap / (high - low))
    counts = [int(x) for x in exact]
    for i in sorted(range(BUCKETS), key=lambda i: exact[i] - counts[i], reverse=True)[: total - sum(counts)]:
        counts[i] += 1
    return counts


def month_counters(p: Procedure, month: str, index: int, count: int) -> list[Counters]:
    volume = p.volume.count if p.volume else 0
    season = {3: 1.5, 4: 1.6}.get(int(month[5:]), 1.0) if p.id in MOVING else 1.0
    found = []
    for channel, share in shares(p, index, count).items():
        received = round(volume / 12 * season * share)
        returned = round(received * 0.02) if channel == "online" else 0
        rejected = round(received * 0.005)
        completed = received - returned - rejected
        paid = received if p.fee_yen and channel in FAILED_PAYMENT_SHARE else 0
        low, high = LEAD_MINUTES.get((channel, p.category), LEAD_MINUTES[("counter", p.category)])
        handling_low = min(low * HANDLING_SHARE, HANDLING_CAP_MINUTES / 2)
        handling_high = min(high * HANDLING_SHARE, HANDLING_CAP_MINUTES)
        found.append(
            Counters(
                procedure_id=p.id,
                channel=channel,
                received=received,
                completed=completed,
                returned=returned,
                rejected=rejected,
                payment_succeeded=paid,
                payment_failed=round(paid * FAILED_PAYMENT_SHARE.get(channel, 0.0)),
                lead_time=spread(completed, low, high),
                handling_time=spread(completed, handling_low, handling_high),
                waiting_time=spread(completed, low - handling_low, high - handling_high),
            )
        )
    return found


def faq_counters(index: int, count: int) -> list[Counters]:
    """The month's FAQ hand-offs to a person, per channel (linear from the first month's to the last's)."""
    return [
        Counters(
            procedure_id="faq", channel=channel, handed_off=round(first + (last - first) * index / max(1, count - 1))
        )
        for channel, (first, last) in FAQ_HANDOFFS.items()
    ]


def history(procedures: list[Procedure], today: date, count: int = MONTHS) -> dict[str, list[Counters]]:
    months = past_months(today, count)
    return {
        m: [c for p in procedures for c in month_counters(p, m, i, len(months))] + faq_counters(i, len(months))
        for i, m in enumerate(months)
    }


def seed_metrics(store: MetricsStore, procedures: list[Procedure], today: date | None = None) -> int:
    today = today or datetime.now(UTC).astimezone(TOKYO).date()
    written = 0
    for month, counters in history(procedures, today).items():
        store.put_month(month, counters)
        written += len(counters)
    return written

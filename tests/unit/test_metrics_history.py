"""The demo history follows its stated rules, so the dashboard shows them and nothing else."""

from __future__ import annotations

from datetime import UTC, date, datetime

from infra.seed import procedures
from infra.seed.metrics_history import past_months, seed_metrics, spread
from madoguchi.metrics import service
from madoguchi.metrics.models import BUCKET_BOUNDS_MINUTES
from madoguchi.shared.auth import Caller, Role
from tests.fakes.metrics import MemoryMetricsStore

TODAY = date(2026, 12, 1)
KANRI = Caller(sub="staff-kanri", role=Role.STAFF, department="kanri")
REGISTER = {p.id: p for p in procedures()}


def seeded() -> MemoryMetricsStore:
    store = MemoryMetricsStore()
    assert seed_metrics(store, list(REGISTER.values()), TODAY) > 0
    return store


def rows(store: MemoryMetricsStore, month: str) -> dict[tuple[str, str], service.MetricsRow]:
    now = datetime(2026, 12, 1, 3, tzinfo=UTC)
    return {(r.procedure_id, r.channel): r for r in service.staff_month(KANRI, store, month, now).rows}


def test_twelve_past_months_are_seeded_and_the_running_one_is_not():
    months = past_months(TODAY)
    assert months[0] == "2025-12" and months[-1] == "2026-11" and len(months) == 12
    store = seeded()
    assert all(rows(store, m) for m in months) and rows(store, "2026-12") == {}


def test_a_year_of_receipts_adds_up_to_the_registers_volume_with_the_moving_season():
    store = seeded()
    for procedure in ("nozei-shomei", "kokuho-kanyu"):
        year = sum(r.received for m in past_months(TODAY) for (p, _), r in rows(store, m).items() if p == procedure)
        volume = REGISTER[procedure].volume
        assert volume is not None
        factor = 1.0 if procedure == "nozei-shomei" else (10 + 1.5 + 1.6) / 12
        assert abs(year - volume.count * factor) <= 12 * 4  # rounding per month and channel


def test_online_share_grows_and_counter_only_procedures_stay_offline():
    store = seeded()
    first, last = rows(store, "2025-12"), rows(store, "2026-11")

    def share(view: dict[tuple[str, str], service.MetricsRow], procedure: str) -> float:
        total = sum(r.received for (p, _), r in view.items() if p == procedure)
        return view[(procedure, "online")].received / total

    assert round(share(first, "kokuho-dattai"), 2) == 0.10 and round(share(last, "kokuho-dattai"), 2) == 0.32
    counter_only = {p for p, r in REGISTER.items() if r.online_receipt and r.online_receipt.basis == "counter_only"}
    assert not any(c == "online" for (p, c) in last if p in counter_only)
    assert last[("shibo-todoke", "onestop")].received > 0


def test_counts_balance_and_times_fall_in_their_ranges():
    store = seeded()
    for row in rows(store, "2026-11").values():
        assert row.completed + row.returned + row.rejected == row.received
        assert sum(row.lead_time_histogram) == row.completed
    kiosk = rows(store, "2026-11")[("juminhyo", "kiosk")]
    assert kiosk.lead_time_p90_minutes == 5
    online = rows(store, "2026-11")[("juminhyo", "online")]
    assert online.lead_time_p50_minutes in (2880, 4320) and (online.handling_time_p90_minutes or 0) <= 45


def test_spread_keeps_every_value():
    assert sum(spread(1001, 8, 40)) == 1001
    assert spread(10, 1, 5)[0] == 10
    assert sum(spread(7, 100_000, 200_000)[len(BUCKET_BOUNDS_MINUTES) :]) == 7


def test_fees_are_paid_on_every_online_and_kiosk_receipt_and_some_payments_fail():
    last = rows(seeded(), "2026-11")
    online = last[("juminhyo", "online")]
    assert online.payment_succeeded == online.received and online.payment_failed == round(online.received * 0.04)
    kiosk = last[("juminhyo", "kiosk")]
    assert kiosk.payment_failed == round(kiosk.payment_succeeded * 0.015)
    assert last[("juminhyo", "counter")].payment_succeeded == 0  # paid at the till: not an online payment
    assert all(r.payment_succeeded == 0 for (p, _), r in last.items() if p in REGISTER and not REGISTER[p].fee_yen)


def test_faq_hand_offs_fall_on_the_site_and_grow_on_line():
    store = seeded()
    first, last = rows(store, "2025-12"), rows(store, "2026-11")
    assert (first[("faq", "online")].handed_off, last[("faq", "online")].handed_off) == (240, 150)
    assert (first[("faq", "line")].handed_off, last[("faq", "line")].handed_off) == (40, 80)

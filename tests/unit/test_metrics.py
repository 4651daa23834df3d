"""The metrics context with the in-memory store: each event moves exactly its counters once, months and days
are the city's, the aggregates of a generated history equal the truth, managers alone read them, and open data
suppresses small counts."""

from __future__ import annotations

import csv
import io
import random
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pydantic import ValidationError

from infra.seed import procedures
from madoguchi.metrics import service
from madoguchi.metrics.models import (
    BUCKET_BOUNDS_MINUTES,
    BUCKETS,
    CHANNELS,
    DomainEvent,
    bucket_of,
    percentile_minutes,
)
from madoguchi.shared.auth import Caller, DeviceKind, Role
from madoguchi.shared.errors import Forbidden, InvalidInput, NotFound, Unauthorized
from tests.fakes.metrics import MemoryMetricsStore

NOW = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)  # 12:00 on 1 December in Tokyo
KANRI = Caller(sub="staff-kanri", role=Role.STAFF, department="kanri")
CATALOGUE = {p.id: p for p in procedures()}


def event(n: int, type: str = "received", **kw: Any) -> DomainEvent:
    base: dict[str, Any] = {
        "id": f"applications:a-{n}:{type}",
        "type": type,
        "context": "applications",
        "aggregate_id": f"a-{n}",
        "procedure_id": "juminhyo",
        "channel": "online",
        "occurred_at": datetime(2026, 11, 10, 1, 0, tzinfo=UTC),
    }
    return DomainEvent.model_validate({**base, **kw})


def only_row(store: MemoryMetricsStore, month: str = "2026-11") -> dict[str, Any]:
    [row] = service.staff_month(KANRI, store, month, NOW).rows
    return row.model_dump()


def test_each_kind_of_event_moves_exactly_its_counter_by_one():
    store = MemoryMetricsStore()
    submitted = datetime(2026, 11, 10, 1, 0, tzinfo=UTC)
    assert service.record([event(1)], store) == 1
    assert {k: only_row(store)[k] for k in ("received", "completed", "returned", "rejected")} == {
        "received": 1,
        "completed": 0,
        "returned": 0,
        "rejected": 0,
    }
    service.record([event(1, "returned", occurred_at=submitted + timedelta(hours=2), received_at=submitted)], store)
    service.record([event(2, "rejected", occurred_at=submitted + timedelta(hours=3), received_at=submitted)], store)
    service.record(
        [
            event(
                1,
                "completed",
                occurred_at=submitted + timedelta(days=2),
                received_at=submitted,
                handling_started_at=submitted + timedelta(days=2) - timedelta(minutes=12),
            )
        ],
        store,
    )
    row = only_row(store)
    assert (row["received"], row["completed"], row["returned"], row["rejected"]) == (1, 1, 1, 1)
    assert row["lead_time_p50_minutes"] == 2880 and row["handling_time_p50_minutes"] == 15
    assert row["waiting_time_p50_minutes"] == 2880  # two days less 12 minutes waited before handling
    assert sum(row["lead_time_histogram"]) == 1 and sum(row["handling_time_histogram"]) == 1


def test_a_redelivered_event_is_counted_once():
    store = MemoryMetricsStore()
    assert service.record([event(1), event(1), event(2)], store) == 2
    assert only_row(store)["received"] == 2


def test_days_and_months_are_the_citys():
    # 23:30 UTC on 30 November is 08:30 on 1 December in Tokyo
    late = event(1, occurred_at=datetime(2026, 11, 30, 23, 30, tzinfo=UTC))
    assert (late.local_day(), late.local_month()) == ("2026-12-01", "2026-12")
    store = MemoryMetricsStore()
    service.record([late], store)
    assert store.month("2026-11") == [] and store.day("2026-12-01")[0].received == 1


def test_events_that_cannot_be_true_or_carry_more_than_ids_are_refused():
    start = datetime(2026, 11, 10, tzinfo=UTC)
    with pytest.raises(ValidationError):
        event(1, "completed", occurred_at=start, received_at=start + timedelta(minutes=1))
    with pytest.raises(ValidationError):
        event(1, "received", received_at=start)
    with pytest.raises(ValidationError):
        later = start + timedelta(hours=1)
        event(1, "completed", occurred_at=later, received_at=start + timedelta(minutes=30), handling_started_at=start)
    with pytest.raises(ValidationError):  # no room for personal data
        event(1, applicant_name="市民 一郎")
    with pytest.raises(ValidationError):
        event(1, occurred_at=datetime(2026, 11, 10, 1, 0))  # naive times are ambiguous
    with pytest.raises(ValidationError):
        event(1, channel="fax")


def test_buckets_and_percentiles():
    assert bucket_of(0) == 0 and bucket_of(5) == 0 and bucket_of(5.01) == 1
    assert bucket_of(10**9) == BUCKETS - 1
    histogram = [0] * BUCKETS
    for minutes in [3] * 5 + [50] * 4 + [100_000]:
        histogram[bucket_of(minutes)] += 1
    assert percentile_minutes(histogram, 0.5) == 5
    assert percentile_minutes(histogram, 0.9) == 60
    assert percentile_minutes(histogram, 1.0) == BUCKET_BOUNDS_MINUTES[-1]
    assert percentile_minutes([0] * BUCKETS, 0.5) is None


def generated_year(seed: int = 15) -> list[DomainEvent]:
    """A year of activity with known properties: receipts on every channel, most completed, some returned or
    rejected, lead times from minutes to weeks, around month ends in Tokyo time."""
    rng = random.Random(seed)
    ids = sorted(CATALOGUE)
    events: list[DomainEvent] = []
    start = datetime(2025, 12, 1, tzinfo=UTC)
    for n in range(3000):
        procedure = rng.choice(ids)
        channel = rng.choice(CHANNELS)
        received = start + timedelta(minutes=rng.randrange(0, 365 * 24 * 60))
        common = {"context": "applications", "aggregate_id": f"a-{n}", "procedure_id": procedure, "channel": channel}
        events.append(DomainEvent(id=f"applications:a-{n}:1", type="received", occurred_at=received, **common))
        fate = rng.random()
        if fate < 0.8:
            lead = timedelta(minutes=rng.choice([3, 12, 40, 200, 1500, 6000, 30000]) + rng.random())
            handling = min(lead, timedelta(minutes=rng.randrange(1, 90)))
            events.append(
                DomainEvent(
                    id=f"applications:a-{n}:2",
                    type="completed",
                    occurred_at=received + lead,
                    received_at=received,
                    handling_started_at=received + lead - handling,
                    **common,
                )
            )
        elif fate < 0.9:
            events.append(
                DomainEvent(
                    id=f"applications:a-{n}:2",
                    type="returned",
                    received_at=received,
                    occurred_at=received + timedelta(days=1),
                    **common,
                )
            )
        else:
            events.append(
                DomainEvent(
                    id=f"applications:a-{n}:2",
                    type="rejected",
                    received_at=received,
                    occurred_at=received + timedelta(days=2),
                    **common,
                )
            )
    rng.shuffle(events)  # the outbox does not promise order
    return events


def test_the_aggregates_of_a_generated_year_equal_the_truth():
    events = generated_year()
    store = MemoryMetricsStore()
    service.record(events + events[:500], store)  # some redelivered
    truth: dict[tuple[str, str, str], dict[str, Any]] = defaultdict(
        lambda: {"received": 0, "completed": 0, "returned": 0, "rejected": 0, "lead": []}
    )
    for e in events:
        cell = truth[(e.local_month(), e.procedure_id, e.channel)]
        cell[e.type] += 1
        if e.type == "completed":
            cell["lead"].append(e.lead_minutes())
    months = sorted({m for m, _, _ in truth})
    assert len(months) >= 12
    for month in months:
        rows = {(r.procedure_id, r.channel): r for r in service.staff_month(KANRI, store, month, NOW).rows}
        expected = {(p, c): v for (m, p, c), v in truth.items() if m == month}
        assert set(rows) == set(expected)
        for key, want in expected.items():
            got = rows[key]
            assert (got.received, got.completed, got.returned, got.rejected) == (
                want["received"],
                want["completed"],
                want["returned"],
                want["rejected"],
            )
            lead = sorted(want["lead"])
            if lead:  # the true p50 falls in the bucket whose bound is reported
                true_p50 = lead[max(0, -(-len(lead) // 2) - 1)]
                assert (
                    got.lead_time_p50_minutes
                    == BUCKET_BOUNDS_MINUTES[min(bucket_of(true_p50), len(BUCKET_BOUNDS_MINUTES) - 1)]
                )


@pytest.mark.parametrize(
    ("caller", "error"),
    [
        (None, Unauthorized),
        (Caller(sub="staff-shimin", role=Role.STAFF, department="shimin"), Forbidden),
        (Caller(sub="staff-onestop", role=Role.STAFF, department="onestop"), Forbidden),
        (Caller(sub="staff-x", role=Role.STAFF), Forbidden),
        (Caller(sub="resident-1", role=Role.RESIDENT), Forbidden),
        (Caller(sub="resident-kanri", role=Role.RESIDENT, department="kanri"), Forbidden),
        (Caller(sub="kiosk-1", role=Role.DEVICE, device_kind=DeviceKind.KIOSK), Forbidden),
    ],
)
def test_only_the_management_department_reads_the_figures(caller: Caller | None, error: type[Exception]):
    with pytest.raises(error):
        service.staff_month(caller, MemoryMetricsStore(), "2026-11", NOW)


@pytest.mark.parametrize("month", ["2026-13", "2026-1", "26-11", "2026-11-01", "' OR 1=1"])
def test_a_month_must_be_yyyy_mm(month: str):
    with pytest.raises(InvalidInput):
        service.staff_month(KANRI, MemoryMetricsStore(), month, NOW)


def test_without_a_month_the_manager_sees_the_running_one():
    view = service.staff_month(KANRI, MemoryMetricsStore(), None, NOW)
    assert view.month == "2026-12" and not view.complete and view.rows == []


def counted(store: MemoryMetricsStore, procedure: str, channel: str, received: int, completed: int) -> None:
    at = datetime(2026, 11, 10, 1, 0, tzinfo=UTC)
    events = [
        event(i, procedure_id=procedure, channel=channel, id=f"x:{procedure}:{channel}:{i}:r") for i in range(received)
    ]
    events += [
        event(
            i,
            "completed",
            procedure_id=procedure,
            channel=channel,
            id=f"x:{procedure}:{channel}:{i}:c",
            received_at=at,
            occurred_at=at + timedelta(minutes=50),
        )
        for i in range(completed)
    ]
    service.record(events, store)


def test_open_data_suppresses_counts_from_one_to_nine_and_times_below_ten_completions():
    store = MemoryMetricsStore()
    counted(store, "juminhyo", "online", received=12, completed=10)
    counted(store, "juminhyo", "kiosk", received=9, completed=9)
    counted(store, "jido-fuyo-teate", "counter", received=1, completed=0)
    data = service.open_data(store, CATALOGUE, "2026-11", NOW)
    rows = {(r.procedure_id, r.channel): r for r in data.rows}
    online, kiosk = rows[("juminhyo", "online")], rows[("juminhyo", "kiosk")]
    assert (online.received, online.completed, online.lead_time_p50_minutes) == (12, 10, 60)
    assert (kiosk.received, kiosk.completed, kiosk.lead_time_p50_minutes) == (None, None, None)
    assert rows[("jido-fuyo-teate", "counter")].received is None
    assert rows[("juminhyo", "counter")].received == 0  # zero reveals nobody
    # every register procedure is listed on its channels, named in Japanese and English
    assert {p for p, _ in rows} == set(CATALOGUE)
    assert rows[("kokuho-kanyu", "online")].procedure_name_ja == "国民健康保険の加入"
    assert "1 to 9" in data.suppression


def test_open_data_is_only_for_months_that_are_over():
    for month in ("2026-12", "2027-01"):
        with pytest.raises(NotFound):
            service.open_data(MemoryMetricsStore(), CATALOGUE, month, NOW)
    with pytest.raises(InvalidInput):
        service.open_data(MemoryMetricsStore(), CATALOGUE, None, NOW)


def test_the_csv_follows_its_schema_and_leaves_suppressed_cells_empty():
    store = MemoryMetricsStore()
    counted(store, "juminhyo", "kiosk", received=3, completed=0)
    text = service.open_data_csv(service.open_data(store, CATALOGUE, "2026-11", NOW))
    reader = list(csv.DictReader(io.StringIO(text)))
    schema = service.open_data_schema()
    assert list(reader[0]) == [f["name"] for f in schema["fields"]]  # type: ignore[attr-defined]
    kiosk = next(r for r in reader if (r["procedure_id"], r["channel"]) == ("juminhyo", "kiosk"))
    assert kiosk["received"] == "" and kiosk["completed"] == "0"


def test_a_queue_event_also_moves_its_counters_load_once():
    from datetime import UTC, datetime, timedelta

    from madoguchi.metrics.models import DomainEvent
    from madoguchi.metrics.service import record
    from tests.fakes.metrics import MemoryMetricsStore

    store = MemoryMetricsStore()
    issued = datetime(2026, 11, 30, 0, 30, tzinfo=UTC)  # 09:30 in Tokyo
    common = {"context": "queue", "aggregate_id": "t-9", "procedure_id": "juminhyo", "channel": "counter",
              "counter_id": "shimin_cert"}  # fmt: skip
    events = [
        DomainEvent(id="queue:t-9:issued", type="received", occurred_at=issued, **common),
        DomainEvent(
            id="queue:t-9:done",
            type="completed",
            occurred_at=issued + timedelta(minutes=30),
            received_at=issued,
            handling_started_at=issued + timedelta(minutes=25),
            **common,
        ),
    ]
    assert record(events + events, store) == 2
    counters, [load] = store.month_with_counters("2026-11")
    assert (load.counter_id, load.received, load.completed) == ("shimin_cert", 1, 1)
    assert load.received_by_hour[9] == 1 and sum(load.received_by_hour) == 1
    assert load.waiting_time[4] == 1 and load.handling_time[0] == 1  # 25 minutes → the ≤30 bucket; 5 → ≤5
    assert [(c.procedure_id, c.received, c.completed) for c in counters] == [("juminhyo", 1, 1)]

"""The aggregator and the readers: events fold into counters; managers read a month; the public reads open data.

Who may read: the management department (窓口管理, `kanri`) reads any month, the running one too; other staff,
residents and devices are refused (403), anonymous callers 401. Open data is public but only for months that are
over (a running month, downloaded twice, would reveal single events by difference) and with small counts
suppressed (SUPPRESSION).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping
from datetime import datetime

from madoguchi.metrics.models import (
    BUCKET_BOUNDS_MINUTES,
    CHANNELS,
    TOKYO,
    CounterLoad,
    CounterRow,
    Counters,
    DomainEvent,
    MetricsMonth,
    MetricsRow,
    OpenDataMonth,
    OpenDataRow,
    bucket_of,
    percentile_minutes,
)
from madoguchi.metrics.store import MetricsStore
from madoguchi.procedures.models import Procedure
from madoguchi.shared.auth import Caller, Role, require
from madoguchi.shared.errors import InvalidInput, NotFound

MANAGEMENT_DEPARTMENT = "kanri"
MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
# The smallest count published; below it (1–9) a figure could point at a person (a rare procedure at one
# channel in one month). Zero is published: it reveals nobody. Times need this many completions too.
MIN_PUBLISHED = 10
SUPPRESSION = (
    f"Counts from 1 to {MIN_PUBLISHED - 1} are suppressed (null in JSON, empty in CSV); 0 is published. Lead "
    f"times are published only where at least {MIN_PUBLISHED} completions were counted. No totals are published, "
    "so a suppressed cell cannot be recovered by subtraction. Only months that are over are published."
)


# --- aggregating ------------------------------------------------------------------------------------------------


def delta(event: DomainEvent) -> Counters:
    """What one event adds to its procedure × channel counters."""
    change = Counters(procedure_id=event.procedure_id, channel=event.channel)
    setattr(change, event.type, 1)
    for histogram, minutes in (
        (change.lead_time, event.lead_minutes()),
        (change.handling_time, event.handling_minutes()),
        (change.waiting_time, event.waiting_minutes()),
    ):
        if minutes is not None:
            histogram[bucket_of(minutes)] = 1
    return change


def counter_load(event: DomainEvent) -> CounterLoad | None:
    """What a queue event adds to its counter's load: receipts by hour, served tickets with their times."""
    if event.counter_id is None or event.type not in ("received", "completed"):
        return None
    load = CounterLoad(counter_id=event.counter_id)
    if event.type == "received":
        load.received = 1
        load.received_by_hour[event.local_hour()] = 1
        return load
    load.completed = 1
    for histogram, minutes in (
        (load.waiting_time, event.waiting_minutes()),
        (load.handling_time, event.handling_minutes()),
    ):
        if minutes is not None:
            histogram[bucket_of(minutes)] = 1
    return load


def record(events: Iterable[DomainEvent], store: MetricsStore) -> int:
    """Count each event once (a redelivered event is skipped); returns how many were new."""
    return sum(1 for event in events if store.add(event, delta(event), counter_load(event)))


# --- reading ----------------------------------------------------------------------------------------------------


def current_month(now: datetime) -> str:
    return now.astimezone(TOKYO).strftime("%Y-%m")


def parse_month(value: str | None, now: datetime) -> str:
    if value is None or value == "":
        return current_month(now)
    if not MONTH.match(value):
        raise InvalidInput([(["query", "month"], "queue_month_format")])
    return value


def row(c: Counters) -> MetricsRow:
    return MetricsRow(
        procedure_id=c.procedure_id,
        channel=c.channel,
        received=c.received,
        completed=c.completed,
        returned=c.returned,
        rejected=c.rejected,
        handed_off=c.handed_off,
        cancelled=c.cancelled,
        payment_succeeded=c.payment_succeeded,
        payment_failed=c.payment_failed,
        lead_time_p50_minutes=percentile_minutes(c.lead_time, 0.5),
        lead_time_p90_minutes=percentile_minutes(c.lead_time, 0.9),
        handling_time_p50_minutes=percentile_minutes(c.handling_time, 0.5),
        handling_time_p90_minutes=percentile_minutes(c.handling_time, 0.9),
        waiting_time_p50_minutes=percentile_minutes(c.waiting_time, 0.5),
        waiting_time_p90_minutes=percentile_minutes(c.waiting_time, 0.9),
        lead_time_histogram=c.lead_time,
        handling_time_histogram=c.handling_time,
        waiting_time_histogram=c.waiting_time,
    )


def counter_row(c: CounterLoad) -> CounterRow:
    return CounterRow(
        counter_id=c.counter_id,
        received=c.received,
        completed=c.completed,
        waiting_time_p50_minutes=percentile_minutes(c.waiting_time, 0.5),
        waiting_time_p90_minutes=percentile_minutes(c.waiting_time, 0.9),
        handling_time_p50_minutes=percentile_minutes(c.handling_time, 0.5),
        received_by_hour=c.received_by_hour,
    )


def _ordered(counters: list[Counters]) -> list[Counters]:
    return sorted(counters, key=lambda c: (c.procedure_id, CHANNELS.index(c.channel)))


def staff_month(caller: Caller | None, store: MetricsStore, month: str | None, now: datetime) -> MetricsMonth:
    require(caller, Role.STAFF, department=MANAGEMENT_DEPARTMENT)
    chosen = parse_month(month, now)
    counters, loads = store.month_with_counters(chosen)  # one Query
    return MetricsMonth(
        month=chosen,
        complete=chosen < current_month(now),
        bucket_bounds_minutes=list(BUCKET_BOUNDS_MINUTES),
        rows=[row(c) for c in _ordered(counters)],
        counters=[counter_row(c) for c in sorted(loads, key=lambda c: (-c.received, c.counter_id))],
    )


def _published(count: int) -> int | None:
    return count if count == 0 or count >= MIN_PUBLISHED else None


def open_data(
    store: MetricsStore, procedures: Mapping[str, Procedure], month: str | None, now: datetime
) -> OpenDataMonth:
    """The month's published figures: every register procedure × its channels, suppressed where small."""
    if month is None or not MONTH.match(month):
        raise InvalidInput([(["query", "month"], "queue_month_format")])
    if month >= current_month(now):
        raise NotFound(month=month)
    counted = {(c.procedure_id, c.channel): c for c in store.month(month)}
    rows: list[OpenDataRow] = []
    for procedure in sorted(procedures.values(), key=lambda p: (p.order, p.id)):
        channels = [ch for ch in CHANNELS if ch in procedure.channels or (procedure.id, ch) in counted]
        for channel in channels:
            c = counted.get((procedure.id, channel)) or Counters(procedure_id=procedure.id, channel=channel)
            timed = c.completed >= MIN_PUBLISHED
            rows.append(
                OpenDataRow(
                    month=month,
                    procedure_id=procedure.id,
                    procedure_name_ja=procedure.name.get("ja", procedure.id),
                    procedure_name_en=procedure.name.get("en", procedure.id),
                    channel=channel,
                    received=_published(c.received),
                    completed=_published(c.completed),
                    returned=_published(c.returned),
                    rejected=_published(c.rejected),
                    lead_time_p50_minutes=percentile_minutes(c.lead_time, 0.5) if timed else None,
                    lead_time_p90_minutes=percentile_minutes(c.lead_time, 0.9) if timed else None,
                )
            )
    return OpenDataMonth(month=month, suppression=SUPPRESSION, rows=rows)


OPEN_DATA_COLUMNS: tuple[str, ...] = tuple(OpenDataRow.model_fields)


def open_data_csv(data: OpenDataMonth) -> str:
    """UTF-8 CSV with a header row (the column names of the schema); suppressed cells are empty."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(OPEN_DATA_COLUMNS)
    for r in data.rows:
        values = r.model_dump()
        writer.writerow(["" if values[k] is None else values[k] for k in OPEN_DATA_COLUMNS])
    return out.getvalue()


def open_data_schema() -> dict[str, object]:
    """Frictionless Table Schema of the CSV (and of the JSON rows), as the open-data catalogue expects."""
    descriptions = {
        "month": "Month (Asia/Tokyo), YYYY-MM",
        "procedure_id": "Procedure id in the city's register (GET /procedures)",
        "procedure_name_ja": "Procedure name (Japanese)",
        "procedure_name_en": "Procedure name (English)",
        "channel": "online | kiosk | counter | onestop | line",
        "received": "Received in the month (suppressed when 1–9)",
        "completed": "Completed in the month (suppressed when 1–9)",
        "returned": "Returned to the applicant for correction (suppressed when 1–9)",
        "rejected": "Rejected (suppressed when 1–9)",
        "lead_time_p50_minutes": "Receipt to completion, median: upper bound of its bucket (minutes)",
        "lead_time_p90_minutes": "Receipt to completion, 90th percentile: upper bound of its bucket (minutes)",
    }
    integers = {"received", "completed", "returned", "rejected", "lead_time_p50_minutes", "lead_time_p90_minutes"}
    return {
        "fields": [
            {
                "name": name,
                "type": "integer" if name in integers else "string",
                "description": descriptions[name],
                **({"constraints": {"minimum": 0}} if name in integers else {"constraints": {"required": True}}),
            }
            for name in OPEN_DATA_COLUMNS
        ],
        "primaryKey": ["month", "procedure_id", "channel"],
        "missingValues": [""],
        "suppression": SUPPRESSION,
        "bucketBoundsMinutes": list(BUCKET_BOUNDS_MINUTES),
    }

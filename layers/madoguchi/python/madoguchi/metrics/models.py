"""The metrics context's shapes: the domain event an outbox delivers, the counters it moves, what the API shows.

A domain event is written by the context that changes state, in the same transaction as the change (a shared
transactional outbox); the aggregator (`service.record`) folds events into counters. An event carries every
timestamp its figures need, so the aggregator never reads back the history of an application or a ticket.
Events carry no personal data: ids of procedures and aggregates, a channel and times.
"""

from __future__ import annotations

from bisect import bisect_left
from datetime import datetime, timedelta
from typing import Any, Literal, Self
from zoneinfo import ZoneInfo

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from madoguchi.shared.outbox import METRICS_TOPIC, outbox_put

TOKYO = ZoneInfo("Asia/Tokyo")  # days and months are the city's (JST), as its reports count them
PROCEDURE_PATTERN = r"^[a-z0-9][a-z0-9-]{0,63}$"
COUNTER_PATTERN = r"^[a-z0-9][a-z0-9_-]{0,63}$"
MONTH_PATTERN = r"^\d{4}-(0[1-9]|1[0-2])$"

Channel = Literal["online", "kiosk", "counter", "onestop", "line"]
CHANNELS: tuple[Channel, ...] = ("online", "kiosk", "counter", "onestop", "line")
EventType = Literal[
    "received", "completed", "returned", "rejected", "handed_off", "cancelled", "payment_succeeded", "payment_failed"
]
SourceContext = Literal["applications", "cases", "reservations", "queue", "kiosk", "faq"]

# Upper bounds (minutes) of the fixed histogram buckets of lead and handling times; the last bucket is open.
# Fixed buckets keep a month's figures a few numbers per procedure × channel whatever the volume, and make
# months addable; a percentile is read as the upper bound of the bucket where it falls (docs/metrics.md).
# fmt: off
BUCKET_BOUNDS_MINUTES: tuple[int, ...] = (
    5, 10, 15, 20, 30, 45, 60, 90, 120, 180, 240, 480,  # within a visit and a working day
    1440, 2880, 4320, 7200, 10080, 20160, 43200, 86400,  # 1, 2, 3, 5, 7, 14, 30, 60 days
)
# fmt: on
BUCKETS = len(BUCKET_BOUNDS_MINUTES) + 1


def bucket_of(minutes: float) -> int:
    """Index of the bucket holding `minutes` (a value on a bound belongs to that bound's bucket)."""
    return bisect_left(BUCKET_BOUNDS_MINUTES, max(0.0, minutes))


class DomainEvent(BaseModel):
    """One state change of something a resident asked for, as the outbox delivers it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(
        min_length=1,
        max_length=200,
        pattern=r"^[A-Za-z0-9_.:#-]+$",
        description="Unique and stable: `<context>:<aggregate id>:<version>`, so a redelivered event is the same event",
    )
    type: EventType
    context: SourceContext
    aggregate_id: str = Field(min_length=1, max_length=100, description="Application, ticket, case … id (opaque)")
    procedure_id: str = Field(pattern=PROCEDURE_PATTERN)
    channel: Channel
    counter_id: str | None = Field(
        default=None, pattern=COUNTER_PATTERN, description="Queue events: the counter (busiest counters and hours)"
    )
    occurred_at: AwareDatetime = Field(description="When the change happened; decides the day and month counted")
    received_at: AwareDatetime | None = Field(
        default=None, description="completed/returned/rejected: when the lead-time clock started (receipt)"
    )
    handling_started_at: AwareDatetime | None = Field(
        default=None, description="completed: when staff started handling (review started, ticket called)"
    )

    @model_validator(mode="after")
    def _clocks(self) -> Self:
        for start in (self.received_at, self.handling_started_at):
            if start is not None and start > self.occurred_at:
                raise ValueError("a clock cannot start after the event that stops it")
        if self.type == "received" and (self.received_at or self.handling_started_at):
            raise ValueError("a receipt starts the clocks, it does not carry them")
        if self.received_at and self.handling_started_at and self.handling_started_at < self.received_at:
            raise ValueError("handling cannot start before receipt")
        return self

    def lead_minutes(self) -> float | None:
        if self.type != "completed" or self.received_at is None:
            return None
        return (self.occurred_at - self.received_at) / timedelta(minutes=1)

    def handling_minutes(self) -> float | None:
        if self.type != "completed" or self.handling_started_at is None:
            return None
        return (self.occurred_at - self.handling_started_at) / timedelta(minutes=1)

    def waiting_minutes(self) -> float | None:
        """Receipt (ticket issued, application received) until staff started handling it."""
        if self.type != "completed" or self.received_at is None or self.handling_started_at is None:
            return None
        return (self.handling_started_at - self.received_at) / timedelta(minutes=1)

    def outbox_put(self, table_name: str) -> dict[str, Any]:
        """The TransactWriteItems entry that puts this event in the outbox, beside the change it describes."""
        return outbox_put(table_name, self.id, self.occurred_at, self.model_dump(mode="json"), METRICS_TOPIC)

    def local_day(self) -> str:
        return self.occurred_at.astimezone(TOKYO).date().isoformat()

    def local_month(self) -> str:
        return self.local_day()[:7]

    def local_hour(self) -> int:
        return self.occurred_at.astimezone(TOKYO).hour


class Counters(BaseModel):
    """What one procedure × channel did in one period; histograms are counts per bucket (BUCKETS long)."""

    procedure_id: str
    channel: Channel
    received: int = 0
    completed: int = 0
    returned: int = 0
    rejected: int = 0
    handed_off: int = 0  # FAQ questions handed to a person (pseudo-procedure `faq`)
    cancelled: int = 0  # confirmed bookings cancelled (reservations)
    payment_succeeded: int = 0  # fees paid (application checkout, booking checkout, kiosk terminal)
    payment_failed: int = 0  # payments that ended unpaid (checkout expired, kiosk card declined)
    lead_time: list[int] = Field(default_factory=lambda: [0] * BUCKETS)
    handling_time: list[int] = Field(default_factory=lambda: [0] * BUCKETS)
    waiting_time: list[int] = Field(default_factory=lambda: [0] * BUCKETS)

    def add(self, other: Counters) -> None:
        self.received += other.received
        self.completed += other.completed
        self.returned += other.returned
        self.rejected += other.rejected
        self.handed_off += other.handed_off
        self.cancelled += other.cancelled
        self.payment_succeeded += other.payment_succeeded
        self.payment_failed += other.payment_failed
        self.lead_time = [a + b for a, b in zip(self.lead_time, other.lead_time, strict=True)]
        self.handling_time = [a + b for a, b in zip(self.handling_time, other.handling_time, strict=True)]
        self.waiting_time = [a + b for a, b in zip(self.waiting_time, other.waiting_time, strict=True)]


HOURS = 24


class CounterLoad(BaseModel):
    """What one queue counter did in one period: tickets issued and served, their waits and handling, and the
    tickets issued per hour of the day (Tokyo), for the busiest counters and hours."""

    counter_id: str
    received: int = 0
    completed: int = 0
    waiting_time: list[int] = Field(default_factory=lambda: [0] * BUCKETS)
    handling_time: list[int] = Field(default_factory=lambda: [0] * BUCKETS)
    received_by_hour: list[int] = Field(default_factory=lambda: [0] * HOURS)

    def add(self, other: CounterLoad) -> None:
        self.received += other.received
        self.completed += other.completed
        self.waiting_time = [a + b for a, b in zip(self.waiting_time, other.waiting_time, strict=True)]
        self.handling_time = [a + b for a, b in zip(self.handling_time, other.handling_time, strict=True)]
        self.received_by_hour = [a + b for a, b in zip(self.received_by_hour, other.received_by_hour, strict=True)]


def percentile_minutes(histogram: list[int], p: float) -> int | None:
    """Upper bound (minutes) of the bucket holding the p-th percentile; None without samples. Above the last
    bound it answers the last bound (read: "more than")."""
    total = sum(histogram)
    if total == 0:
        return None
    rank = p * total
    seen = 0
    for index, count in enumerate(histogram):
        seen += count
        if seen >= rank and count:
            return BUCKET_BOUNDS_MINUTES[min(index, len(BUCKET_BOUNDS_MINUTES) - 1)]
    return BUCKET_BOUNDS_MINUTES[-1]


# --- API shapes -------------------------------------------------------------------------------------------------


class MetricsRow(BaseModel):
    procedure_id: str
    channel: Channel
    received: int
    completed: int
    returned: int
    rejected: int
    handed_off: int = Field(
        description="Procedure `faq`: chat questions answered with how to reach a person (no confident answer)"
    )
    cancelled: int = Field(default=0, description="Facility bookings (`facility-<id>`): confirmed bookings cancelled")
    payment_succeeded: int = Field(default=0, description="Fees paid (online checkout or kiosk terminal)")
    payment_failed: int = Field(
        default=0, description="Payments that ended unpaid: a checkout expired unpaid, a kiosk card declined"
    )
    lead_time_p50_minutes: int | None = Field(description="Receipt → completion, upper bound of the p50 bucket")
    lead_time_p90_minutes: int | None
    handling_time_p50_minutes: int | None = Field(description="Handling started → completion, p50 bucket bound")
    handling_time_p90_minutes: int | None
    waiting_time_p50_minutes: int | None = Field(description="Receipt → handling started (at a counter: the wait)")
    waiting_time_p90_minutes: int | None
    lead_time_histogram: list[int] = Field(description="Completions per bucket of bucket_bounds_minutes (+ open end)")
    handling_time_histogram: list[int]
    waiting_time_histogram: list[int]


class CounterRow(BaseModel):
    counter_id: str
    received: int = Field(description="Tickets issued at the counter (machines, kiosks, transfers in)")
    completed: int = Field(description="Tickets served")
    waiting_time_p50_minutes: int | None = Field(
        description="Ticket issued → first call, upper bound of the p50 bucket"
    )
    waiting_time_p90_minutes: int | None
    handling_time_p50_minutes: int | None = Field(description="First call → served, p50 bucket bound")
    received_by_hour: list[int] = Field(description="Tickets issued per hour of the day (0–23, Asia/Tokyo)")


class MetricsMonth(BaseModel):
    month: str
    complete: bool = Field(description="False while the month is still running")
    bucket_bounds_minutes: list[int]
    rows: list[MetricsRow]
    counters: list[CounterRow] = Field(default_factory=list, description="Queue counters, busiest first")


class OpenDataRow(BaseModel):
    """One published line: counts of 1–9 are null (suppressed), times only from 10 completions on."""

    month: str
    procedure_id: str
    procedure_name_ja: str
    procedure_name_en: str
    channel: Channel
    received: int | None
    completed: int | None
    returned: int | None
    rejected: int | None
    lead_time_p50_minutes: int | None
    lead_time_p90_minutes: int | None


class OpenDataMonth(BaseModel):
    month: str
    suppression: str = Field(description="The rule applied to this file")
    rows: list[OpenDataRow]


def month_bounds(month: str) -> tuple[datetime, datetime]:
    """First instant of the month and of the next one, in Tokyo time."""
    year, mon = int(month[:4]), int(month[5:7])
    start = datetime(year, mon, 1, tzinfo=TOKYO)
    end = datetime(year + (mon == 12), mon % 12 + 1, 1, tzinfo=TOKYO)
    return start, end

"""Demo ticket history for the queue table: two years of daily aggregates from the generator with known effects
(madoguchi.history), and the calendar learned from them, so `make run` shows a filled congestion calendar."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from infra.seed.history import generate
from madoguchi.queue.calendar import nightly
from madoguchi.queue.dynamodb import DynamoQueueStore
from madoguchi.queue.models import TOKYO

YEARS = 2


def seed_queue(queue_table: str, congestion_table: str, years: int = YEARS) -> int:
    today = datetime.now(UTC).astimezone(TOKYO).date()
    history = generate(today - timedelta(days=365 * years), today - timedelta(days=1), seed=2024)
    store = DynamoQueueStore(queue_table, congestion_table)
    store.put_many_day_stats(history)
    nightly(store, today)
    return len(history)

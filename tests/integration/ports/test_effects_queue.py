"""One contract for the outbox's effect items, run against the in-memory fake and the DynamoDB adapter (moto,
outbox table from the catalogue): owed until done, due again after a failed try, out of the index once done or
given up, and a failure recorded late never makes a done effect pending again."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import boto3
import pytest

from madoguchi.effects.models import FIRST_REDRIVE, Effect
from madoguchi.effects.store import EffectQueue
from tests.fakes.effects import MemoryEffectQueue
from tests.integration.ports.emulated_table import emulated_table

NOW = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)


class Owing:
    """Puts effects the way a store's transaction does (the outbox entry of each), for either implementation."""

    def __init__(self, queue: EffectQueue, table: str | None) -> None:
        self.queue, self.table = queue, table

    def owe(self, *effects: Effect) -> None:
        if isinstance(self.queue, MemoryEffectQueue):
            self.queue.owe(effects)
            return
        assert self.table is not None
        boto3.client("dynamodb").transact_write_items(
            TransactItems=[_low_level(e.outbox_put(self.table)) for e in effects]
        )


def _low_level(entry: dict[str, object]) -> dict[str, object]:
    from boto3.dynamodb.types import TypeSerializer

    put = dict(entry["Put"])  # type: ignore[arg-type]
    item = {k: TypeSerializer().serialize(v) for k, v in put["Item"].items()}  # type: ignore[union-attr]
    return {"Put": {"TableName": put["TableName"], "Item": item}}


@pytest.fixture(params=["memory", "dynamodb"])
def owing(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[Owing]:
    if request.param == "memory":
        yield Owing(MemoryEffectQueue(), None)
        return
    from madoguchi.effects.dynamodb import DynamoEffectQueue

    with emulated_table(monkeypatch, "outbox") as name:
        yield Owing(DynamoEffectQueue(name), name)


def effect(n: int, at: datetime = NOW) -> Effect:
    return Effect(id=f"test:agg-{n}:refund", kind="test.refund", payload={"amount": n}, created_at=at)


def test_owed_effects_are_pending_and_due_after_the_first_redrive_delay(owing: Owing) -> None:
    owing.owe(effect(1), effect(2, NOW + timedelta(seconds=30)))
    q = owing.queue
    assert q.pending("test:agg-1:refund") == 0 and q.pending("test:agg-9:refund") is None
    assert q.due(NOW + FIRST_REDRIVE - timedelta(seconds=1), 10) == []
    assert [e.id for e, _ in q.due(NOW + FIRST_REDRIVE, 10)] == ["test:agg-1:refund"]
    both = q.due(NOW + FIRST_REDRIVE + timedelta(minutes=1), 10)
    assert [(e, tries) for e, tries in both] == [(effect(1), 0), (effect(2, NOW + timedelta(seconds=30)), 0)]
    assert len(q.due(NOW + timedelta(hours=1), 1)) == 1  # a page


def test_a_failed_try_is_due_again_later_and_counts(owing: Owing) -> None:
    owing.owe(effect(1), effect(2))
    q = owing.queue
    q.retry_at("test:agg-1:refund", 1, NOW + timedelta(minutes=10), "StripeError")
    assert q.pending("test:agg-1:refund") == 1
    assert [e.id for e, _ in q.due(NOW + timedelta(minutes=5), 10)] == ["test:agg-2:refund"]  # not holding it back
    assert next((e.id, n) for e, n in q.due(NOW + timedelta(minutes=10), 10)) == ("test:agg-2:refund", 0)


def test_done_and_given_up_effects_leave_the_index_for_good(owing: Owing) -> None:
    owing.owe(effect(1), effect(2))
    q = owing.queue
    q.done("test:agg-1:refund", NOW)
    q.give_up("test:agg-2:refund", 50, NOW, "StripeError")
    assert q.pending("test:agg-1:refund") is None and q.pending("test:agg-2:refund") is None
    assert q.due(NOW + timedelta(days=30), 10) == []
    q.retry_at("test:agg-1:refund", 1, NOW, "Late")  # a slower run's failure, after another run succeeded
    q.give_up("test:agg-1:refund", 50, NOW, "Late")
    assert q.pending("test:agg-1:refund") is None and q.due(NOW + timedelta(days=30), 10) == []
    q.done("test:agg-9:refund", NOW)  # unknown: nothing happens
    assert q.pending("test:agg-9:refund") is None

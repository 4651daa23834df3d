"""The outbox worker's rules (madoguchi.effects.service) over the in-memory queue: an owed effect is carried out
once delivered, a failing one is due again after a growing backoff and never holds back the others, an unknown
kind is retried like a failure, and after MAX_ATTEMPTS tries it is given up (kept, out of the index)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from madoguchi.effects import service
from madoguchi.effects.models import MAX_ATTEMPTS, MAX_BACKOFF, Effect, backoff
from tests.fakes.effects import MemoryEffectQueue

NOW = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)


def effect(n: int, kind: str = "test.refund") -> Effect:
    return Effect(id=f"test:agg-{n}:x", kind=kind, payload={"n": n}, created_at=NOW)


class Provider:
    def __init__(self, failing: int = 0) -> None:
        self.failing, self.calls = failing, []  # type: ignore[var-annotated]

    def __call__(self, e: Effect) -> None:
        self.calls.append(e.payload["n"])
        if self.failing > 0:
            self.failing -= 1
            raise TimeoutError()


def test_a_delivered_effect_is_carried_out_once_and_a_redelivery_does_nothing() -> None:
    queue, provider = MemoryEffectQueue(), Provider()
    queue.owe([effect(1)])
    assert service.delivered(effect(1), {"test.refund": provider}, queue, NOW) == "done"
    assert service.delivered(effect(1), {"test.refund": provider}, queue, NOW) == "not_pending"
    assert provider.calls == [1] and service.redrive({"test.refund": provider}, queue, NOW + timedelta(days=1)) == {
        "done": 0,
        "retry": 0,
        "given_up": 0,
        "not_pending": 0,
        "deferred": 0,
    }


def test_a_failing_effect_is_retried_by_the_redrive_until_done_without_holding_back_others() -> None:
    queue, flaky, fine = MemoryEffectQueue(), Provider(failing=2), Provider()
    handlers = {"test.refund": flaky, "test.tag": fine}
    queue.owe([effect(1), effect(2, "test.tag")])
    assert service.delivered(effect(1), handlers, queue, NOW) == "retry"
    assert queue.items["test:agg-1:x"].last_error == "TimeoutError" and queue.pending("test:agg-1:x") == 1
    fine_only = service.redrive(handlers, queue, NOW + timedelta(seconds=59))
    assert fine_only["done"] == 0 and fine.calls == []  # neither is due yet: the stream is still at work
    queue.items["test:agg-2:x"].due_at = NOW  # as if the stream had lost the other one
    again = service.redrive(handlers, queue, NOW + backoff(1))
    assert again == {"done": 1, "retry": 1, "given_up": 0, "not_pending": 0, "deferred": 0} and fine.calls == [2]
    assert queue.pending("test:agg-1:x") == 2
    later = NOW + backoff(1) + backoff(2)
    assert service.redrive(handlers, queue, later - timedelta(seconds=1))["retry"] == 0
    assert service.redrive(handlers, queue, later)["done"] == 1
    assert flaky.calls == [1, 1, 1] and queue.pending("test:agg-1:x") is None


def test_the_backoff_grows_to_an_hour() -> None:
    assert [backoff(n) for n in (1, 2, 3)] == [timedelta(minutes=1), timedelta(minutes=2), timedelta(minutes=4)]
    assert backoff(7) == MAX_BACKOFF == backoff(MAX_ATTEMPTS)


def test_an_unknown_kind_is_retried_then_given_up_and_kept() -> None:
    queue = MemoryEffectQueue()
    queue.owe([effect(1, "nobody.handles")])
    at = NOW
    outcomes = []
    for _ in range(MAX_ATTEMPTS):
        outcomes += [o for o in service.redrive({}, queue, at + timedelta(days=30)).items() if o[1]]
        at += timedelta(days=30)
    assert outcomes[-1] == ("given_up", 1) and [o for o, _ in outcomes[:-1]] == ["retry"] * (MAX_ATTEMPTS - 1)
    item = queue.items["test:agg-1:x"]
    assert item.given_up_at is not None and item.last_error == "UnknownEffect" and item.attempts == MAX_ATTEMPTS
    assert service.redrive({}, queue, at + timedelta(days=365)) == {
        "done": 0,
        "retry": 0,
        "given_up": 0,
        "not_pending": 0,
        "deferred": 0,
    }


def test_an_invocation_short_of_time_leaves_the_rest_owed_for_the_schedule() -> None:
    queue, provider = MemoryEffectQueue(), Provider()
    queue.owe([effect(n) for n in range(5)])
    clock = iter([60.0, 45.0, 29.0])  # seconds left before each effect: room for two
    counts = service.redrive({"test.refund": provider}, queue, NOW + timedelta(days=1), time_left=lambda: next(clock))
    assert counts["done"] == 2 and counts["deferred"] == 3 and len(provider.calls) == 2
    assert sum(1 for n in range(5) if queue.pending(f"test:agg-{n}:x") is not None) == 3  # still owed
    late = service.delivered(effect(4), {"test.refund": provider}, queue, NOW, time_left=lambda: 10.0)
    assert late == "deferred" and queue.pending("test:agg-4:x") == 0 and len(provider.calls) == 2
    assert service.redrive({"test.refund": provider}, queue, NOW + timedelta(days=1))["done"] == 3

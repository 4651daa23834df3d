"""The local scheduler reads EventBridge expressions as EventBridge does (UTC, AWS day-of-week numbering)."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any, cast

import pytest

from infra import catalogue
from infra.local.functions import Functions
from infra.local.scheduler import Scheduler, next_run, scheduled_event

AT = datetime(2026, 11, 27, 10, 15, 30, tzinfo=UTC)  # a Friday


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("rate(1 minute)", datetime(2026, 11, 27, 10, 16, 30, tzinfo=UTC)),
        ("rate(5 minutes)", datetime(2026, 11, 27, 10, 20, 30, tzinfo=UTC)),
        ("rate(2 hours)", datetime(2026, 11, 27, 12, 15, 30, tzinfo=UTC)),
        ("rate(1 day)", datetime(2026, 11, 28, 10, 15, 30, tzinfo=UTC)),
        ("cron(0 18 * * ? *)", datetime(2026, 11, 27, 18, 0, tzinfo=UTC)),
        ("cron(30 9 ? * MON-FRI *)", datetime(2026, 11, 30, 9, 30, tzinfo=UTC)),
        # AWS numbers Sunday 1 … Saturday 7: 2 is Monday (cron's 1)
        ("cron(0 0 ? * 2 *)", datetime(2026, 11, 30, 0, 0, tzinfo=UTC)),
        ("cron(0 15 1 * ? *)", datetime(2026, 12, 1, 15, 0, tzinfo=UTC)),
    ],
)
def test_next_run_follows_eventbridge_expressions(expression: str, expected: datetime) -> None:
    assert next_run(expression, AT) == expected


@pytest.mark.parametrize("expression", ["rate(1 week)", "cron(0 18 * * ?)", "every day"])
def test_unsupported_expressions_are_refused(expression: str) -> None:
    with pytest.raises(ValueError):
        next_run(expression, AT)


def test_the_event_has_the_shape_eventbridge_sends() -> None:
    event = scheduled_event(catalogue.function("health"), AT)
    assert event["detail-type"] == "Scheduled Event"
    assert event["source"] == "aws.events"
    assert event["time"] == "2026-11-27T10:15:30Z"
    assert event["detail"] == {}
    assert event["resources"][0].startswith("arn:aws:events:ap-northeast-1:")


def test_every_catalogue_schedule_is_understood() -> None:
    for fn in catalogue.FUNCTIONS:
        if fn.schedule:
            assert next_run(fn.schedule, AT) > AT, fn.name


class RecordingPool:
    def __init__(self, name: str, calls: list[tuple[str, dict[str, Any]]]) -> None:
        self.name, self.calls = name, calls

    def invoke(self, event: dict[str, Any]) -> None:
        self.calls.append((self.name, event))


def test_the_loop_invokes_each_function_when_its_schedule_is_due() -> None:
    clock = [datetime(2026, 11, 27, 16, 58, tzinfo=UTC)]
    calls: list[tuple[str, dict[str, Any]]] = []
    functions = SimpleNamespace(pools={fn.name: RecordingPool(fn.name, calls) for fn in catalogue.FUNCTIONS})
    scheduler = Scheduler(cast(Functions, functions), now=lambda: clock[0]).start()
    try:
        time.sleep(1.5)
        assert calls == []  # nothing is due yet
        clock[0] += timedelta(minutes=6)  # past 17:00 UTC and past every rate of a few minutes
        deadline = time.monotonic() + 10
        start = datetime(2026, 11, 27, 16, 58, tzinfo=UTC)
        due = {f.name for f in catalogue.FUNCTIONS if f.schedule and next_run(f.schedule, start) <= clock[0]}
        while {name for name, _ in calls} != due and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        scheduler.stop()
    assert due == {
        "reservations_sweeper",
        "payments_reconciler",
        "kiosk_reconciler",
        "congestion_forecast",
        "outbox_effects",
    }
    assert {name for name, _ in calls} == due
    assert all(event["detail-type"] == "Scheduled Event" for _, event in calls)

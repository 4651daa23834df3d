"""The local scheduler reads EventBridge expressions as EventBridge does (UTC, AWS day-of-week numbering)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from infra import catalogue
from infra.local.scheduler import next_run, scheduled_event

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

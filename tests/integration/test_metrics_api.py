"""Metrics through the local gateway: the DynamoDB adapter counts each event once, managers alone read a month,
open data is public, suppressed and only for months that are over."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
import requests

from infra import catalogue
from madoguchi.metrics.dynamodb import DynamoMetricsStore
from madoguchi.metrics.models import DomainEvent
from madoguchi.metrics.service import record


@pytest.fixture(scope="module")
def store(local_stack) -> DynamoMetricsStore:
    return DynamoMetricsStore(catalogue.table("metrics").local_name)


def events(month_start: datetime, procedure: str, channel: str, received: int, completed: int, tag: str):
    found = []
    for i in range(received):
        at = month_start + timedelta(days=1, minutes=i)
        common = {
            "context": "applications",
            "aggregate_id": f"{tag}-{i}",
            "procedure_id": procedure,
            "channel": channel,
        }
        found.append(DomainEvent(id=f"applications:{tag}-{i}:1", type="received", occurred_at=at, **common))
        if i < completed:
            found.append(
                DomainEvent(
                    id=f"applications:{tag}-{i}:2",
                    type="completed",
                    received_at=at,
                    handling_started_at=at + timedelta(minutes=20),
                    occurred_at=at + timedelta(minutes=25),
                    **common,
                )
            )
    return found


def test_a_manager_reads_what_the_aggregator_counted_once(stack_url, auth_header, store):
    # Given events of March 2024 delivered, some of them twice (an outbox redelivers after a timeout)
    batch = events(datetime(2024, 3, 1, tzinfo=UTC), "kokuho-kanyu", "online", received=3, completed=2, tag="m1")
    assert record(batch, store) == 5
    assert record(batch[:2], store) == 0

    # When the manager reads the month
    response = requests.get(f"{stack_url}/staff/metrics?month=2024-03", headers=auth_header("staff-kanri"), timeout=10)

    # Then each event moved its counters by exactly one
    assert response.status_code == 200
    body = response.json()
    assert body["month"] == "2024-03" and body["complete"] is True
    [row] = [r for r in body["rows"] if r["procedure_id"] == "kokuho-kanyu"]
    assert (row["channel"], row["received"], row["completed"], row["returned"]) == ("online", 3, 2, 0)
    assert row["lead_time_p50_minutes"] == 30 and row["handling_time_p50_minutes"] == 5
    assert row["waiting_time_p50_minutes"] == 20
    assert len(body["bucket_bounds_minutes"]) + 1 == len(row["lead_time_histogram"])


@pytest.mark.parametrize(
    ("user", "status"),
    [(None, 401), ("staff-shimin", 403), ("staff-onestop", 403), ("resident-1", 403), ("kiosk-1", 403)],
)
def test_everyone_but_the_manager_is_refused(stack_url, auth_header, user, status):
    headers = auth_header(user) if user else {}
    response = requests.get(f"{stack_url}/staff/metrics?month=2024-03&lang=en", headers=headers, timeout=10)
    assert response.status_code == status
    assert response.json()["code"] in {"unauthorized", "forbidden"} and response.json()["message"]


def test_a_crafted_month_is_a_translated_422(stack_url, auth_header):
    response = requests.get(
        f"{stack_url}/staff/metrics",
        params={"month": "2024-3' OR '1'='1", "lang": "pt"},
        headers=auth_header("staff-kanri"),
        timeout=10,
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", "month"]
    assert "AAAA-MM" in response.json()["message"] + response.json()["detail"][0]["msg"]


def test_open_data_is_public_suppressed_and_the_csv_matches_the_schema(stack_url, store):
    start = datetime(2024, 4, 1, tzinfo=UTC)
    record(events(start, "juminhyo", "kiosk", received=14, completed=12, tag="o1"), store)
    record(events(start, "juminhyo", "online", received=4, completed=4, tag="o2"), store)

    as_json = requests.get(f"{stack_url}/opendata/procedure-metrics.json?month=2024-04", timeout=10)
    assert as_json.status_code == 200 and "max-age" in as_json.headers["Cache-Control"]
    rows = {(r["procedure_id"], r["channel"]): r for r in as_json.json()["rows"]}
    assert rows[("juminhyo", "kiosk")]["received"] == 14 and rows[("juminhyo", "kiosk")]["lead_time_p50_minutes"] == 30
    assert rows[("juminhyo", "online")]["received"] is None and rows[("juminhyo", "online")]["completed"] is None

    as_csv = requests.get(f"{stack_url}/opendata/procedure-metrics.csv?month=2024-04", timeout=10)
    assert as_csv.headers["Content-Type"].startswith("text/csv")
    assert "2024-04" in as_csv.headers["Content-Disposition"]
    table = list(csv.DictReader(io.StringIO(as_csv.content.decode("utf-8"))))
    schema = requests.get(f"{stack_url}/opendata/procedure-metrics.schema.json", timeout=10).json()
    assert list(table[0]) == [f["name"] for f in schema["fields"]]
    online = next(r for r in table if (r["procedure_id"], r["channel"]) == ("juminhyo", "online"))
    assert online["received"] == "" and online["procedure_name_ja"] == "住民票の写し"


def test_the_running_month_is_not_published(stack_url):
    month = datetime.now(UTC).astimezone().strftime("%Y-%m")
    later = (datetime.now(UTC) + timedelta(days=40)).strftime("%Y-%m")
    for m in {month, later}:
        assert requests.get(f"{stack_url}/opendata/procedure-metrics.json?month={m}", timeout=10).status_code == 404
    assert requests.get(f"{stack_url}/opendata/procedure-metrics.csv?month=x", timeout=10).status_code == 422

"""What the reservation tests share: an API client, a free future slot per test, time travel in the store."""

from __future__ import annotations

import itertools
import json
import threading
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import boto3
import requests
from botocore.exceptions import ClientError

from infra import catalogue
from infra.local.stack import LocalStack

TOKYO = ZoneInfo("Asia/Tokyo")
_days = itertools.count(3)
_lock = threading.Lock()

# Open every day, 07:00–21:00 in 2-hour slots, 4 courts: room for many tests without collisions.
FACILITY = "kasumi-tennis"
STARTS = ["07:00", "09:00", "11:00", "13:00", "15:00", "17:00", "19:00"]


def fresh_day(offset: int | None = None, closed_weekdays: tuple[int, ...] = ()) -> date:
    """A future day on which facilities open (past the year-end closure and the given weekly closed days): the
    next unused one each call, or `offset` days ahead (then moved forward past closures)."""

    def closed(day: date) -> bool:
        return (
            (day.month == 12 and day.day >= 29) or (day.month == 1 and day.day <= 3) or day.weekday() in closed_weekdays
        )

    today = datetime.now(TOKYO).date()
    if offset is None:
        with _lock:  # skip closed days by consuming the counter, so two calls never share a day
            day = today + timedelta(days=next(_days))
            while closed(day):
                day = today + timedelta(days=next(_days))
        return day
    day = today + timedelta(days=offset)
    while closed(day):
        day += timedelta(days=1)
    return day


class Api:
    def __init__(self, url: str, auth_header: Callable[[str], dict[str, str]]) -> None:
        self.url, self.auth_header = url, auth_header

    def call(self, method: str, path: str, user: str | None = None, body: Any = None, **kw: Any) -> requests.Response:
        headers = dict(self.auth_header(user)) if user else {}
        headers.update(kw.pop("headers", {}))
        return requests.request(method, f"{self.url}{path}", json=body, headers=headers, timeout=30, **kw)

    def hold(
        self,
        user: str,
        day: date,
        slots: list[tuple[str, str]],
        facility: str = FACILITY,
        headers: dict[str, str] | None = None,
        **extra: Any,
    ) -> requests.Response:
        body = {
            "facility_id": facility,
            "date": day.isoformat(),
            "slots": [{"unit_id": u, "start": s} for u, s in slots],
        }
        body.update(extra)
        return self.call("POST", "/reservations", user, body, headers=headers or {})

    def held(self, user: str, day: date, slots: list[tuple[str, str]], **extra: Any) -> dict[str, Any]:
        response = self.hold(user, day, slots, **extra)
        assert response.status_code == 200, response.text
        return dict(response.json())

    def reservation(self, user: str, rid: str) -> dict[str, Any]:
        response = self.call("GET", f"/reservations/{rid}", user)
        assert response.status_code == 200, response.text
        return dict(response.json())

    def checkout(self, user: str, rid: str) -> dict[str, Any]:
        response = self.call("POST", f"/reservations/{rid}/checkout", user, {})
        assert response.status_code == 200, response.text
        return dict(response.json())


def pay(stack: LocalStack, session_id: str, card: str = "4242424242424242") -> dict[str, Any]:
    response = requests.post(f"{stack.stripe.url}/_control/pay/{session_id}", json={"card": card}, timeout=30)
    response.raise_for_status()
    return dict(response.json())


def table() -> Any:
    return boto3.resource("dynamodb").Table(catalogue.table("reservations").local_name)


def rewind(reservation_id: str, minutes: int, fields: tuple[str, ...] = ("expires_at",)) -> dict[str, Any]:
    """Move a reservation's times `minutes` into the past (its hold and slot items too): time travel for tests,
    written straight to the emulated table."""
    item = table().get_item(Key={"pk": f"RES#{reservation_id}", "sk": "RES"})["Item"]
    data = json.loads(item["data"])
    for name in fields:
        data[name] = (datetime.fromisoformat(data[name]) - timedelta(minutes=minutes)).isoformat()
    item["data"] = json.dumps(data)
    if "queue_at" in item:
        item["queue_at"] = data["expires_at"]
    table().put_item(Item=item)
    if "expires_at" in fields:
        for slot in data["slots"]:
            key = {
                "pk": f"SLOT#{data['facility_id']}#{data['date'][:7]}",
                "sk": f"{data['date']}#{slot['unit_id']}#{slot['start']}",
            }
            found = table().get_item(Key=key).get("Item")
            if found and found.get("reservation_id") == reservation_id and "expires_at" in found:
                found["expires_at"] = data["expires_at"]
                table().put_item(Item=found)
    return data


def now() -> datetime:
    return datetime.now(UTC)


# --- the outbox's effects (refunds and booking e-mails, carried out by outbox_effects) --------------------------
def outbox() -> Any:
    return boto3.resource("dynamodb").Table(catalogue.table("outbox").local_name)


def refund_effect(reservation_id: str) -> str:
    return f"reservations:{reservation_id}:refund"


def effect(effect_id: str) -> dict[str, Any] | None:
    """The effect's outbox item: owed while it has `queue` (and `attempts` tries so far), done once `done_at`."""
    item = outbox().get_item(Key={"pk": effect_id}, ConsistentRead=True).get("Item")
    return dict(item) if item else None


def redrive_now(stack: LocalStack, *effect_ids: str) -> Any:
    """Time travel for the schedule: the effects' backoff has passed; then the worker's every-minute run."""
    from madoguchi.effects.models import due_key

    for effect_id in effect_ids:
        try:
            outbox().update_item(
                Key={"pk": effect_id},
                UpdateExpression="SET due_at = :due",
                ConditionExpression="attribute_exists(#queue)",
                ExpressionAttributeNames={"#queue": "queue"},
                ExpressionAttributeValues={":due": due_key(datetime.now(UTC) - timedelta(seconds=1), effect_id)},
            )
        except ClientError as e:  # done already: nothing to make due
            if e.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise
    return stack.run_scheduled("outbox_effects")

"""DynamoDB adapter of the effects port: the outbox table's effect items and its sparse index `pending`.

A pending effect carries `queue` = EFFECTS_QUEUE and `due_at` = ``<UTC time>#<id>`` (madoguchi.effects.models);
the redrive reads one page of the index up to now, so its cost follows the effects due, not the table's history.
Done: the index keys go and `expires_at` comes (the outbox's TTL). Given up: the index keys go, `given_up_at` stays.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from boto3.dynamodb.conditions import Key
from botocore.exceptions import ClientError

from madoguchi.effects.models import Effect, due_key, instant
from madoguchi.effects.store import EffectQueue
from madoguchi.shared.aws import dynamodb_table
from madoguchi.shared.outbox import EFFECTS_QUEUE, OUTBOX_DAYS

PENDING_INDEX = "pending"


class DynamoEffectQueue(EffectQueue):
    def __init__(self, table_name: str) -> None:
        self._table = dynamodb_table(table_name)

    def pending(self, effect_id: str) -> int | None:
        item = self._table.get_item(Key={"pk": effect_id}, ConsistentRead=True).get("Item")
        if item is None or "queue" not in item:
            return None
        return int(item.get("attempts", 0))

    def due(self, now: datetime, limit: int) -> list[tuple[Effect, int]]:
        page = self._table.query(
            IndexName=PENDING_INDEX,
            KeyConditionExpression=Key("queue").eq(EFFECTS_QUEUE) & Key("due_at").lt(f"{instant(now)}~"),
            Limit=limit,
        )
        return [(Effect.from_json(str(i["event"])), int(i.get("attempts", 0))) for i in page.get("Items", [])]

    def done(self, effect_id: str, now: datetime) -> None:
        self._update(
            effect_id,
            "SET done_at = :now, expires_at = :expires REMOVE #queue, due_at",
            {":now": instant(now), ":expires": int((now + timedelta(days=OUTBOX_DAYS)).timestamp())},
        )

    def retry_at(self, effect_id: str, attempts: int, at: datetime, error: str) -> None:
        self._update(
            effect_id,
            "SET attempts = :attempts, due_at = :due, last_error = :error",
            {":attempts": attempts, ":due": due_key(at, effect_id), ":error": error, ":queue": EFFECTS_QUEUE},
            pending_only=True,
        )

    def give_up(self, effect_id: str, attempts: int, now: datetime, error: str) -> None:
        self._update(
            effect_id,
            "SET attempts = :attempts, given_up_at = :now, last_error = :error REMOVE #queue, due_at",
            {":attempts": attempts, ":now": instant(now), ":error": error, ":queue": EFFECTS_QUEUE},
            pending_only=True,
        )

    def _update(self, effect_id: str, expression: str, values: dict[str, Any], *, pending_only: bool = False) -> None:
        # A failure recorded after another run finished the effect must not make it pending again.
        condition = "#queue = :queue" if pending_only else "attribute_exists(pk)"
        try:
            self._table.update_item(
                Key={"pk": effect_id},
                UpdateExpression=expression,
                ConditionExpression=condition,
                ExpressionAttributeNames={"#queue": "queue"},
                ExpressionAttributeValues=values,
            )
        except ClientError as e:
            if e.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise

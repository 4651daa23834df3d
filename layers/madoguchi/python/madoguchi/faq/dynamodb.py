"""The FAQ table. Access patterns (docs/data-model.md):
- all current entries: Query pk=FAQ, sk begins_with ENTRY# (one partition: a few hundred entries);
- one entry: GetItem pk=FAQ, sk=ENTRY#<id>;  its versions: Query pk=FAQ#<id> (sk=V#<version, zero-padded>);
- the FAQ's version (the search index's freshness): GetItem pk=FAQ, sk=META;
- questions for review: Query pk=UNANSWERED, newest first (sk = time-ordered id), expiring by TTL.
An edit is one transaction: the entry (conditional on the version edited), its history item and the version bump.
"""

from __future__ import annotations

import json
import time
from decimal import Decimal
from typing import Any

from boto3.dynamodb.conditions import Key
from botocore.exceptions import ClientError

from madoguchi.faq.models import FaqEntry, FaqUnanswered
from madoguchi.faq.store import FaqStore
from madoguchi.metrics.models import DomainEvent
from madoguchi.shared.aws import dynamodb_table
from madoguchi.shared.dynamodb import query_all, transact
from madoguchi.shared.errors import Conflict, NotFound

PARTITION = "FAQ"
META = {"pk": PARTITION, "sk": "META"}
UNANSWERED = "UNANSWERED"
UNANSWERED_DAYS = 180


def _entry_key(entry_id: str) -> dict[str, str]:
    return {"pk": PARTITION, "sk": f"ENTRY#{entry_id}"}


def _history_key(entry: FaqEntry) -> dict[str, str]:
    return {"pk": f"FAQ#{entry.id}", "sk": f"V#{entry.version:06d}"}


class DynamoFaqStore(FaqStore):
    def __init__(self, table_name: str, outbox_table: str | None = None) -> None:
        self._table = dynamodb_table(table_name)
        self._outbox = outbox_table  # hand-off events go here with the kept question (None: none written)
        self._name = table_name

    def entries(self) -> list[FaqEntry]:
        items = query_all(self._table, KeyConditionExpression=Key("pk").eq(PARTITION) & Key("sk").begins_with("ENTRY#"))
        return [FaqEntry.model_validate(item["data"]) for item in items]

    def get(self, entry_id: str) -> FaqEntry | None:
        item = self._table.get_item(Key=_entry_key(entry_id)).get("Item")
        return FaqEntry.model_validate(item["data"]) if item else None

    def version(self) -> int:
        item = self._table.get_item(Key=META).get("Item")
        return int(item["version"]) if item else 0

    def save(self, entry: FaqEntry, expected_version: int) -> None:
        # The resource's client serialises plain Python values itself (boto3's DynamoDB transformation).
        data = entry.model_dump(mode="json")

        def item(key: dict[str, str], **extra: Any) -> dict[str, Any]:
            return {**key, **extra}

        condition: dict[str, Any] = (
            {"ConditionExpression": "attribute_not_exists(pk)"}
            if expected_version == 0
            else {
                "ConditionExpression": "version = :expected",
                "ExpressionAttributeValues": {":expected": expected_version},
            }
        )
        try:
            self._table.meta.client.transact_write_items(
                TransactItems=[
                    {
                        "Put": {
                            "TableName": self._name,
                            "Item": item(_entry_key(entry.id), version=entry.version, data=data),
                            **condition,
                        }
                    },
                    {
                        "Put": {
                            "TableName": self._name,
                            "Item": item(_history_key(entry), data=data),
                            "ConditionExpression": "attribute_not_exists(pk)",
                        }
                    },
                    {
                        "Update": {
                            "TableName": self._name,
                            "Key": item(META),
                            "UpdateExpression": "ADD version :one",
                            "ExpressionAttributeValues": {":one": 1},
                        }
                    },
                ]
            )
        except ClientError as e:
            reasons = [r.get("Code") for r in e.response.get("CancellationReasons", [])]
            if e.response["Error"]["Code"] == "TransactionCanceledException" and "ConditionalCheckFailed" in reasons:
                raise Conflict(entry_id=entry.id) from e
            raise

    def history(self, entry_id: str) -> list[FaqEntry]:
        items = query_all(self._table, KeyConditionExpression=Key("pk").eq(f"FAQ#{entry_id}"), ScanIndexForward=False)
        return [FaqEntry.model_validate(item["data"]) for item in items]

    def add_unanswered(self, question: FaqUnanswered, event: DomainEvent | None = None) -> None:
        put = {
            "Item": {
                "pk": UNANSWERED,
                "sk": question.id,
                # DynamoDB numbers are Decimals, never floats (the confidence)
                "data": json.loads(question.model_dump_json(), parse_float=Decimal),
                "expires_at": int(time.time()) + UNANSWERED_DAYS * 24 * 3600,
            },
            "ConditionExpression": "attribute_not_exists(pk)",
        }
        if event is not None and self._outbox:
            # the kept question and its hand-off event in one transaction (docs/metrics.md)
            try:
                transact(
                    self._table.meta.client,
                    [{"Put": {"TableName": self._table.name, **put}}, event.outbox_put(self._outbox)],
                )
            except Conflict as e:
                raise Conflict(question_id=question.id) from e
            return
        try:
            self._table.put_item(**put)
        except ClientError as e:
            if e.response["Error"]["Code"] == "ConditionalCheckFailedException":
                raise Conflict(question_id=question.id) from e
            raise

    def unanswered(self, limit: int) -> list[FaqUnanswered]:
        page = self._table.query(KeyConditionExpression=Key("pk").eq(UNANSWERED), ScanIndexForward=False, Limit=limit)
        return [FaqUnanswered.model_validate(item["data"]) for item in page.get("Items", [])]

    def resolve_unanswered(self, question_id: str) -> None:
        try:
            self._table.delete_item(
                Key={"pk": UNANSWERED, "sk": question_id}, ConditionExpression="attribute_exists(pk)"
            )
        except ClientError as e:
            if e.response["Error"]["Code"] == "ConditionalCheckFailedException":
                raise NotFound() from e
            raise

"""Metrics in DynamoDB (docs/data-model.md, "Metrics").

One item per procedure × channel per month (`pk` MONTH#YYYY-MM) and per day (`pk` DAY#YYYY-MM-DD), `sk`
`<procedure>#<channel>`; counters and histogram buckets are numeric attributes moved with ADD, so concurrent
aggregators never lose an increment. Each event leaves a marker item (`pk` EVENT#<id>, expiring after
EVENT_MARKER_DAYS) written with `attribute_not_exists` in the same transaction as both ADDs: a redelivered event
fails the condition and changes nothing. Reading a month is one Query of one partition, at most procedures ×
channels items (≈100 today), whatever the volume.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from botocore.exceptions import ClientError

from madoguchi.metrics.models import BUCKETS, CHANNELS, Counters, DomainEvent
from madoguchi.metrics.store import MetricsStore
from madoguchi.shared.aws import dynamodb_table

EVENT_MARKER_DAYS = 35  # longer than any outbox redelivery (stream records live 24 hours; retries, replays)
COUNTS = ("received", "completed", "returned", "rejected")


def _bucket_attr(prefix: str, index: int) -> str:
    return f"{prefix}{index:02d}"


def _update(table_name: str, pk: str, delta: Counters) -> dict[str, Any]:
    values: dict[str, Any] = {":procedure": delta.procedure_id, ":channel": delta.channel}
    adds: list[str] = []
    for name in COUNTS:
        if getattr(delta, name):
            adds.append(f"{name} :{name}")
            values[f":{name}"] = getattr(delta, name)
    for prefix, histogram in (("lt", delta.lead_time), ("ht", delta.handling_time), ("wt", delta.waiting_time)):
        for index, count in enumerate(histogram):
            if count:
                attr = _bucket_attr(prefix, index)
                adds.append(f"{attr} :{attr}")
                values[f":{attr}"] = count
    return {
        "Update": {
            "TableName": table_name,
            "Key": {"pk": pk, "sk": f"{delta.procedure_id}#{delta.channel}"},
            "UpdateExpression": "SET procedure_id = :procedure, channel = :channel ADD " + ", ".join(adds),
            "ExpressionAttributeValues": values,
        }
    }


def _counters(item: dict[str, Any]) -> Counters:
    def number(name: str) -> int:
        value = item.get(name, 0)
        return int(value) if isinstance(value, int | Decimal) else 0

    return Counters(
        procedure_id=str(item["procedure_id"]),
        channel=item["channel"],
        received=number("received"),
        completed=number("completed"),
        returned=number("returned"),
        rejected=number("rejected"),
        lead_time=[number(_bucket_attr("lt", i)) for i in range(BUCKETS)],
        handling_time=[number(_bucket_attr("ht", i)) for i in range(BUCKETS)],
        waiting_time=[number(_bucket_attr("wt", i)) for i in range(BUCKETS)],
    )


class DynamoMetricsStore(MetricsStore):
    def __init__(self, table_name: str) -> None:
        self._name = table_name
        self._table = dynamodb_table(table_name)

    def add(self, event: DomainEvent, delta: Counters) -> bool:
        expires = int((event.occurred_at + timedelta(days=EVENT_MARKER_DAYS)).timestamp())
        marker = {
            "Put": {
                "TableName": self._name,
                "Item": {"pk": f"EVENT#{event.id}", "sk": "-", "expires_at": expires},
                "ConditionExpression": "attribute_not_exists(pk)",
            }
        }
        items = [
            marker,
            _update(self._name, f"MONTH#{event.local_month()}", delta),
            _update(self._name, f"DAY#{event.local_day()}", delta),
        ]
        try:  # the resource's client takes plain values (boto3 serialises them for it)
            self._table.meta.client.transact_write_items(TransactItems=items)
        except ClientError as e:
            reasons = [r.get("Code") for r in e.response.get("CancellationReasons", [])]
            if e.response["Error"]["Code"] == "TransactionCanceledException" and reasons[:1] == [
                "ConditionalCheckFailed"
            ]:
                return False  # counted already
            raise
        return True

    def put_month(self, month: str, counters: list[Counters]) -> None:
        with self._table.batch_writer() as batch:
            for c in counters:
                item: dict[str, Any] = {
                    "pk": f"MONTH#{month}",
                    "sk": f"{c.procedure_id}#{c.channel}",
                    "procedure_id": c.procedure_id,
                    "channel": c.channel,
                }
                item.update({name: getattr(c, name) for name in COUNTS})
                for prefix, histogram in (("lt", c.lead_time), ("ht", c.handling_time), ("wt", c.waiting_time)):
                    item.update({_bucket_attr(prefix, i): n for i, n in enumerate(histogram) if n})
                batch.put_item(Item=item)

    def _partition(self, pk: str) -> list[Counters]:
        kwargs: dict[str, Any] = {"KeyConditionExpression": "pk = :pk", "ExpressionAttributeValues": {":pk": pk}}
        found: list[Counters] = []
        while True:
            page = self._table.query(**kwargs)
            found += [_counters(item) for item in page.get("Items", []) if item.get("channel") in CHANNELS]
            if "LastEvaluatedKey" not in page:
                return found
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def month(self, month: str) -> list[Counters]:
        return self._partition(f"MONTH#{month}")

    def day(self, day: str) -> list[Counters]:
        return self._partition(f"DAY#{day}")

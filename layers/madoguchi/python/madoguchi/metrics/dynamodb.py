"""Metrics in DynamoDB (docs/data-model.md, "Metrics").

One item per procedure × channel per month (`pk` MONTH#YYYY-MM) and per day (`pk` DAY#YYYY-MM-DD), `sk`
`<procedure>#<channel>`; counters and histogram buckets are numeric attributes moved with ADD, so concurrent
aggregators never lose an increment. Each event leaves a marker item (`pk` EVENT#<id>, expiring after
EVENT_MARKER_DAYS) written with `attribute_not_exists` in the same transaction as both ADDs: a redelivered event
fails the condition and changes nothing. A queue event also ADDs to its counter's load (`sk` COUNTER#<counter>:
tickets issued and served, waiting and handling buckets, tickets issued per hour `hr00`…`hr23`) in the same
transaction. Reading a month is one Query of one partition, at most procedures × channels + counters items
(≈110 today), whatever the volume.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from botocore.exceptions import ClientError

from madoguchi.metrics.models import BUCKETS, CHANNELS, HOURS, CounterLoad, Counters, DomainEvent
from madoguchi.metrics.store import MetricsStore
from madoguchi.shared.aws import dynamodb_table

EVENT_MARKER_DAYS = 35  # longer than any outbox redelivery (stream records live 24 hours; retries, replays)
COUNTS = (
    "received", "completed", "returned", "rejected", "handed_off", "cancelled", "payment_succeeded", "payment_failed"
)  # fmt: skip
COUNTER_PREFIX = "COUNTER#"  # sk of a queue counter's load in a MONTH#/DAY# partition (never a procedure id)


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


def _load_update(table_name: str, pk: str, load: CounterLoad) -> dict[str, Any]:
    values: dict[str, Any] = {":counter": load.counter_id}
    adds: list[str] = []
    numbers = {"received": load.received, "completed": load.completed}
    numbers.update({_bucket_attr("wt", i): n for i, n in enumerate(load.waiting_time)})
    numbers.update({_bucket_attr("ht", i): n for i, n in enumerate(load.handling_time)})
    numbers.update({_bucket_attr("hr", h): n for h, n in enumerate(load.received_by_hour)})
    for attr, n in numbers.items():
        if n:
            adds.append(f"{attr} :{attr}")
            values[f":{attr}"] = n
    return {
        "Update": {
            "TableName": table_name,
            "Key": {"pk": pk, "sk": f"{COUNTER_PREFIX}{load.counter_id}"},
            "UpdateExpression": "SET counter_id = :counter ADD " + ", ".join(adds),
            "ExpressionAttributeValues": values,
        }
    }


def _number(item: dict[str, Any], name: str) -> int:
    value = item.get(name, 0)
    return int(value) if isinstance(value, int | Decimal) else 0


def _load(item: dict[str, Any]) -> CounterLoad:
    return CounterLoad(
        counter_id=str(item["counter_id"]),
        received=_number(item, "received"),
        completed=_number(item, "completed"),
        waiting_time=[_number(item, _bucket_attr("wt", i)) for i in range(BUCKETS)],
        handling_time=[_number(item, _bucket_attr("ht", i)) for i in range(BUCKETS)],
        received_by_hour=[_number(item, _bucket_attr("hr", h)) for h in range(HOURS)],
    )


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
        handed_off=number("handed_off"),
        cancelled=number("cancelled"),
        payment_succeeded=number("payment_succeeded"),
        payment_failed=number("payment_failed"),
        lead_time=[number(_bucket_attr("lt", i)) for i in range(BUCKETS)],
        handling_time=[number(_bucket_attr("ht", i)) for i in range(BUCKETS)],
        waiting_time=[number(_bucket_attr("wt", i)) for i in range(BUCKETS)],
    )


class DynamoMetricsStore(MetricsStore):
    def __init__(self, table_name: str) -> None:
        self._name = table_name
        self._table = dynamodb_table(table_name)

    def add(self, event: DomainEvent, delta: Counters, load: CounterLoad | None = None) -> bool:
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
        if load is not None:  # a queue event also moves its counter's load, in the same transaction
            items += [_load_update(self._name, f"{period}#{at}", load) for period, at in
                      (("MONTH", event.local_month()), ("DAY", event.local_day()))]  # fmt: skip
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

    def _partition(self, pk: str) -> tuple[list[Counters], list[CounterLoad]]:
        kwargs: dict[str, Any] = {"KeyConditionExpression": "pk = :pk", "ExpressionAttributeValues": {":pk": pk}}
        found: list[Counters] = []
        loads: list[CounterLoad] = []
        while True:
            page = self._table.query(**kwargs)
            for item in page.get("Items", []):
                if item.get("channel") in CHANNELS:
                    found.append(_counters(item))
                elif str(item["sk"]).startswith(COUNTER_PREFIX):
                    loads.append(_load(item))
            if "LastEvaluatedKey" not in page:
                return found, loads
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def month(self, month: str) -> list[Counters]:
        return self._partition(f"MONTH#{month}")[0]

    def month_with_counters(self, month: str) -> tuple[list[Counters], list[CounterLoad]]:
        return self._partition(f"MONTH#{month}")

    def day(self, day: str) -> list[Counters]:
        return self._partition(f"DAY#{day}")[0]

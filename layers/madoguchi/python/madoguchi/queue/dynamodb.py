"""The queue on DynamoDB. Every call is a GetItem, a Query of one partition or a conditional write.

Items (pk, sk) of the queue table (transactions only touch this one, and it holds only tickets):
- ``Q#<counter>#<day>``, ``#SEQ``: the counter day's last number and revision (sorts before the tickets)
- ``Q#<counter>#<day>``, ``T#<number:05d>``: a ticket

Items of the congestion table (small derived objects, read by the polling routes and the calendar):
- ``STATUS#<counter>``, ``STATUS``: the cached live status (JSON), replaced on each change
- ``LIVE``, ``LIVE``: one attribute per counter: the city-wide live congestion object
- ``STATS#<counter>``, ``<day>``: the day's aggregate (JSON)
- ``FORECAST``, ``<YYYY-MM>``: the learned congestion calendar of a month (JSON)

Numbering: read ``#SEQ`` (consistent), then one TransactWriteItems that sets ``last = n+1`` on condition
``last = n`` and puts the ticket on condition ``attribute_not_exists(pk)``. Either both happen or neither: a
number is never taken without its ticket (no gap) and never twice (no duplicate). A lost race cancels the
transaction and is retried with the new value.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable, Mapping
from datetime import date, datetime
from typing import Any

from boto3.dynamodb.conditions import Key
from botocore.exceptions import ClientError

from madoguchi.queue.models import LIVE, CounterStatus, DayStats, Notify, Ticket, TicketState
from madoguchi.queue.store import QueueStore
from madoguchi.shared.aws import dynamodb_table
from madoguchi.shared.dynamodb import cancellation_reasons, plain
from madoguchi.shared.errors import Conflict

MAX_ATTEMPTS = 60


def _pk(counter: str, day: date) -> str:
    return f"Q#{counter}#{day.isoformat()}"


def _sk(number: int) -> str:
    return f"T#{number:05d}"


def _value(value: Any) -> Any:
    """A model field value as DynamoDB stores it (JSON types; datetimes as ISO 8601)."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if hasattr(value, "model_dump"):
        return value.model_dump(mode="json", exclude_none=True)
    return value


def _av(value: Any) -> Any:
    """Values go to the resource's client as plain Python: boto3's resource layer serialises them."""
    return value


# Codes after which a whole transaction may be sent again: cancelled (a condition or a concurrent transaction)
# and the server errors AWS documents as retryable for TransactWriteItems.
RETRY = {"TransactionCanceledException", "InternalServerError", "InternalFailure", "TransactionInProgressException"}


def _backoff(attempt: int) -> None:
    time.sleep(random.uniform(0, min(0.2, 0.005 * 2 ** min(attempt, 6))))


class DynamoQueueStore(QueueStore):
    def __init__(self, table_name: str, congestion_table: str) -> None:
        self._table = dynamodb_table(table_name)
        self._cache = dynamodb_table(congestion_table)
        self._name = table_name
        self._client = self._table.meta.client
        self.reads = 0

    # --- numbering --------------------------------------------------------------------------------------
    def _seq(self, counter: str, day: date) -> int | None:
        item = self._table.get_item(Key={"pk": _pk(counter, day), "sk": "#SEQ"}, ConsistentRead=True).get("Item")
        return int(item["last"]) if item and "last" in item else None

    def _advance(self, counter: str, day: date, last: int | None) -> dict[str, Any]:
        """The transaction item that takes number last+1 (the condition makes a concurrent taker lose)."""
        update: dict[str, Any] = {
            "TableName": self._name,
            "Key": {"pk": _av(_pk(counter, day)), "sk": _av("#SEQ")},
            "UpdateExpression": "SET #last = :next, #rev = if_not_exists(#rev, :zero) + :one",
            "ExpressionAttributeNames": {"#last": "last", "#rev": "rev"},
            "ExpressionAttributeValues": {":next": _av((last or 0) + 1), ":zero": _av(0), ":one": _av(1)},
        }
        if last is None:
            update["ConditionExpression"] = "attribute_not_exists(#last)"
        else:
            update["ConditionExpression"] = "#last = :last"
            update["ExpressionAttributeValues"][":last"] = _av(last)
        return {"Update": update}

    def _put_ticket(self, ticket: Ticket) -> dict[str, Any]:
        item = ticket.model_dump(mode="json", exclude_none=True)
        item.update(pk=_pk(ticket.counter, ticket.day), sk=_sk(ticket.number))
        return {"Put": {"TableName": self._name, "Item": {k: _av(v) for k, v in item.items()},
                        "ConditionExpression": "attribute_not_exists(pk)"}}

    def _bump(self, counter: str, day: date) -> dict[str, Any]:
        return {"Update": {
            "TableName": self._name,
            "Key": {"pk": _av(_pk(counter, day)), "sk": _av("#SEQ")},
            "UpdateExpression": "ADD #rev :one",
            "ExpressionAttributeNames": {"#rev": "rev"},
            "ExpressionAttributeValues": {":one": _av(1)},
        }}

    def issue(self, counter: str, day: date, build: Callable[[int], Ticket]) -> Ticket:
        for attempt in range(MAX_ATTEMPTS):
            last = self._seq(counter, day)
            ticket = build((last or 0) + 1)
            try:
                self._client.transact_write_items(
                    TransactItems=[self._advance(counter, day, last), self._put_ticket(ticket)])
                return ticket
            except ClientError as e:
                if e.response["Error"]["Code"] not in RETRY:
                    raise
                _backoff(attempt)  # another ticket took this number first: read again and take the next
        raise Conflict(counter=counter)

    # --- reads ------------------------------------------------------------------------------------------------
    def get(self, counter: str, day: date, number: int) -> Ticket | None:
        self.reads += 1
        item = self._table.get_item(Key={"pk": _pk(counter, day), "sk": _sk(number)}).get("Item")
        return Ticket.model_validate(plain(item)) if item else None

    def day(self, counter: str, day: date) -> tuple[int, list[Ticket]]:
        items: list[dict[str, Any]] = []
        kwargs: dict[str, Any] = {"KeyConditionExpression": Key("pk").eq(_pk(counter, day)), "ConsistentRead": True}
        while True:
            page = self._table.query(**kwargs)
            items.extend(page.get("Items", []))
            if "LastEvaluatedKey" not in page:
                break
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
        rev = 0
        tickets: list[Ticket] = []
        for item in items:
            if item["sk"] == "#SEQ":
                rev = int(item.get("rev", 0))
            else:
                tickets.append(Ticket.model_validate(plain(item)))
        return rev, tickets

    # --- changes -----------------------------------------------------------------------------------------------
    def _change_item(self, ticket: Ticket, expected: tuple[TicketState, ...],
                     changes: Mapping[str, Any]) -> dict[str, Any]:
        names: dict[str, str] = {"#state": "state"}
        values: dict[str, Any] = {}
        sets, removes = [], []
        for i, (field, value) in enumerate(changes.items()):
            names[f"#f{i}"] = field
            if value is None:
                removes.append(f"#f{i}")
            else:
                values[f":v{i}"] = _av(_value(value))
                sets.append(f"#f{i} = :v{i}")
        states = []
        for i, state in enumerate(expected):
            values[f":s{i}"] = _av(state)
            states.append(f":s{i}")
        expression = ("SET " + ", ".join(sets) if sets else "") + (" REMOVE " + ", ".join(removes) if removes else "")
        return {"Update": {
            "TableName": self._name,
            "Key": {"pk": _av(_pk(ticket.counter, ticket.day)), "sk": _av(_sk(ticket.number))},
            "UpdateExpression": expression.strip(),
            "ConditionExpression": f"#state IN ({', '.join(states)})",
            "ExpressionAttributeNames": names,
            "ExpressionAttributeValues": values,
        }}

    def change(self, ticket: Ticket, expected: tuple[TicketState, ...], changes: Mapping[str, Any]) -> Ticket:
        items = [self._change_item(ticket, expected, changes), self._bump(ticket.counter, ticket.day)]
        for attempt in range(MAX_ATTEMPTS):
            try:
                self._client.transact_write_items(TransactItems=items)
                return ticket.model_copy(update=dict(changes))
            except ClientError as e:
                if e.response["Error"]["Code"] not in RETRY:
                    raise
                if cancellation_reasons(e)[:1] == ["ConditionalCheckFailed"]:
                    raise Conflict(ticket=ticket.id) from e
                _backoff(attempt)  # a concurrent transaction on the same day: try again
        raise Conflict(ticket=ticket.id)

    def transfer(self, ticket: Ticket, expected: tuple[TicketState, ...], changes: Mapping[str, Any],
                 to_counter: str, build: Callable[[int], Ticket]) -> Ticket:
        for attempt in range(MAX_ATTEMPTS):
            new_day = build(1).day
            last = self._seq(to_counter, new_day)
            new = build((last or 0) + 1)
            close = [self._change_item(ticket, expected, {**changes, "transferred_to": new.id}),
                     self._bump(ticket.counter, ticket.day)]
            try:
                self._client.transact_write_items(
                    TransactItems=[*close, self._advance(to_counter, new.day, last), self._put_ticket(new)])
                return new
            except ClientError as e:
                if e.response["Error"]["Code"] not in RETRY:
                    raise
                if cancellation_reasons(e)[:1] == ["ConditionalCheckFailed"]:
                    raise Conflict(ticket=ticket.id) from e
                _backoff(attempt)
        raise Conflict(ticket=ticket.id)

    def set_notify(self, ticket: Ticket, notify: Mapping[str, Any]) -> Ticket:
        # Stored complete (flags included), as the fake does: mark_notified's condition reads the flags.
        complete = Notify.model_validate(notify).model_dump(mode="json", exclude_none=True)
        values = {":n": complete, **{f":s{i}": s for i, s in enumerate(LIVE)}}
        try:
            item = self._table.update_item(
                Key={"pk": _pk(ticket.counter, ticket.day), "sk": _sk(ticket.number)},
                UpdateExpression="SET #notify = :n",
                ConditionExpression=f"#state IN ({', '.join(f':s{i}' for i in range(len(LIVE)))})",
                ExpressionAttributeNames={"#notify": "notify", "#state": "state"},
                ExpressionAttributeValues=values,
                ReturnValues="ALL_NEW",
            )["Attributes"]
        except ClientError as e:
            if e.response["Error"]["Code"] == "ConditionalCheckFailedException":
                raise Conflict(ticket=ticket.id) from e
            raise
        return Ticket.model_validate(plain(item))

    def mark_notified(self, ticket: Ticket, kind: str) -> bool:
        try:
            self._table.update_item(
                Key={"pk": _pk(ticket.counter, ticket.day), "sk": _sk(ticket.number)},
                UpdateExpression="SET #notify.#flag = :true",
                ConditionExpression="attribute_exists(#notify) AND #notify.#flag = :false",
                ExpressionAttributeNames={"#notify": "notify", "#flag": f"notified_{kind}"},
                ExpressionAttributeValues={":true": True, ":false": False},
            )
        except ClientError as e:
            if e.response["Error"]["Code"] == "ConditionalCheckFailedException":
                return False
            raise
        return True

    # --- cached status and live congestion -----------------------------------------------------------------
    def put_status(self, status: CounterStatus) -> bool:
        data = json.dumps(status.model_dump(mode="json", exclude_none=True)
                          | {"entries": [e.model_dump(mode="json", exclude_none=True) | {"key": e.key}
                                         for e in status.entries]}, separators=(",", ":"))
        order = f"{status.day.isoformat()}#{status.rev:09d}"
        try:
            self._cache.put_item(
                Item={"pk": f"STATUS#{status.counter}", "sk": "STATUS", "order": order, "data": data},
                ConditionExpression="attribute_not_exists(#order) OR #order <= :order",
                ExpressionAttributeNames={"#order": "order"},
                ExpressionAttributeValues={":order": order},
            )
        except ClientError as e:
            if e.response["Error"]["Code"] == "ConditionalCheckFailedException":
                return False  # a newer status is already there
            raise
        return True

    def status(self, counter: str) -> CounterStatus | None:
        self.reads += 1
        item = self._cache.get_item(Key={"pk": f"STATUS#{counter}", "sk": "STATUS"}).get("Item")
        return CounterStatus.model_validate_json(str(item["data"])) if item else None

    def put_summary(self, counter: str, rev: int, summary: Mapping[str, Any]) -> None:
        order = f"{summary['day']}#{rev:09d}"
        try:
            self._cache.update_item(
                Key={"pk": "LIVE", "sk": "LIVE"},
                UpdateExpression="SET #c = :summary, #o = :order",
                ConditionExpression="attribute_not_exists(#o) OR #o <= :order",
                ExpressionAttributeNames={"#c": f"c_{counter}", "#o": f"o_{counter}"},
                ExpressionAttributeValues={":summary": json.dumps(dict(summary)), ":order": order},
            )
        except ClientError as e:
            if e.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise

    def summaries(self) -> dict[str, dict[str, Any]]:
        self.reads += 1
        item = self._cache.get_item(Key={"pk": "LIVE", "sk": "LIVE"}).get("Item") or {}
        return {k[2:]: json.loads(str(v)) for k, v in item.items() if k.startswith("c_")}

    # --- aggregates and forecasts --------------------------------------------------------------------------
    def put_day_stats(self, stats: DayStats) -> None:
        self._cache.put_item(Item={"pk": f"STATS#{stats.counter}", "sk": stats.day.isoformat(),
                                   "data": stats.model_dump_json()})

    def put_many_day_stats(self, stats: list[DayStats]) -> None:
        with self._cache.batch_writer() as batch:
            for s in stats:
                batch.put_item(Item={"pk": f"STATS#{s.counter}", "sk": s.day.isoformat(), "data": s.model_dump_json()})

    def day_stats(self, counter: str, since: date, until: date) -> list[DayStats]:
        items: list[dict[str, Any]] = []
        kwargs: dict[str, Any] = {
            "KeyConditionExpression": Key("pk").eq(f"STATS#{counter}") & Key("sk").between(
                since.isoformat(), until.isoformat())}
        while True:
            page = self._cache.query(**kwargs)
            items.extend(page.get("Items", []))
            if "LastEvaluatedKey" not in page:
                break
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
        return [DayStats.model_validate_json(str(i["data"])) for i in items]

    def put_forecast(self, month: str, payload: Mapping[str, Any]) -> None:
        self._cache.put_item(Item={"pk": "FORECAST", "sk": month, "data": json.dumps(dict(payload))})

    def forecast(self, month: str) -> dict[str, Any] | None:
        self.reads += 1
        item = self._cache.get_item(Key={"pk": "FORECAST", "sk": month}).get("Item")
        return json.loads(str(item["data"])) if item else None

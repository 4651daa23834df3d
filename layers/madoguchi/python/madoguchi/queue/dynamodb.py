"""The queue on DynamoDB. Every call is a GetItem, a Query of one partition or a conditional write.

Items (pk, sk) of the queue table (transactions touch only this one, and the outbox: the domain events of
madoguchi.queue.events and the notices the status claims, madoguchi.queue.effects):
- ``Q#<counter>#<day>``, ``#SEQ``: the counter day's head: last number, revision and the live status (JSON:
  live tickets in call order and the day's aggregate), rewritten in every transaction that changes a ticket
- ``Q#<counter>#<day>``, ``T#<number:05d>``: a ticket
- ``IDEM#<caller>#<Idempotency-Key>``, ``IDEM``: the ticket a key issued (expires after a day)

Items of the congestion table (small derived objects, read by the polling routes and the calendar):
- ``LIVE``, ``LIVE``: one attribute per counter: the city-wide live congestion object
- ``STATS#<counter>``, ``<day>``: the day's aggregate (JSON), newest revision wins
- ``FORECAST``, ``<YYYY-MM>``: the learned congestion calendar of a month (JSON)

Every write reads the head (one consistent GetItem), then one TransactWriteItems puts the head on condition
``rev = n`` (``attribute_not_exists`` for a new day) with the ticket's own condition (``attribute_not_exists``
for a new number, the expected states for a change). Either all happen or none: a number is never taken
without its ticket (no gap) nor twice (no duplicate), and the status always matches the tickets. A lost race
cancels the transaction and is retried with the new head; a failed ticket condition is a Conflict. Nothing
reads the whole day on the issuing and calling paths: their cost does not grow with the queue.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable, Mapping
from datetime import date, datetime, timedelta
from typing import Any

from boto3.dynamodb.conditions import Key
from botocore.exceptions import ClientError

from madoguchi.effects.models import outbox_puts
from madoguchi.queue.events import ticket_event
from madoguchi.queue.models import LIVE, CounterStatus, DayStats, Notify, Ticket, TicketState
from madoguchi.queue.store import Advance, QueueStore, Written
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


IDEMPOTENCY_DAYS = 1


class DynamoQueueStore(QueueStore):
    def __init__(self, table_name: str, congestion_table: str, outbox_table: str | None = None) -> None:
        self._table = dynamodb_table(table_name)
        self._cache = dynamodb_table(congestion_table)
        self._name = table_name
        # Domain events and owed notices go here in the ticket's transaction. Without an outbox no event is written,
        # and a write that owes a notice is refused (NoOutbox): a notice is never claimed and then lost.
        self._outbox = outbox_table
        self._client = self._table.meta.client
        self.reads = 0

    # --- the counter day's head ------------------------------------------------------------------------------
    def _head(self, counter: str, day: date) -> tuple[int | None, CounterStatus]:
        """(revision or None before the day's first ticket, status)."""
        item = self._table.get_item(Key={"pk": _pk(counter, day), "sk": "#SEQ"}, ConsistentRead=True).get("Item")
        if not item or "rev" not in item:
            return None, CounterStatus.empty(counter, day)
        rev = int(item["rev"])
        if "status" not in item:  # a head written before the status moved here: numbers only
            return rev, CounterStatus.empty(counter, day).model_copy(
                update={"last_issued": int(item["last"]), "rev": rev}
            )
        return rev, CounterStatus.model_validate_json(str(item["status"]))

    def _put_head(self, status: CounterStatus, rev: int | None) -> dict[str, Any]:
        """The transaction item that writes the head at revision rev+1 (a concurrent writer makes it fail)."""
        new = status.model_copy(update={"rev": (rev or 0) + 1})
        data = json.dumps(
            new.model_dump(mode="json", exclude_none=True)
            | {"entries": [e.model_dump(mode="json", exclude_none=True) | {"key": e.key} for e in new.entries]},
            separators=(",", ":"),
        )
        put: dict[str, Any] = {
            "TableName": self._name,
            "Item": {
                "pk": _pk(status.counter, status.day),
                "sk": "#SEQ",
                "last": new.last_issued,
                "rev": new.rev,
                "status": data,
            },
        }
        if rev is None:
            put["ConditionExpression"] = "attribute_not_exists(pk)"
        else:
            put["ConditionExpression"] = "#rev = :rev"
            put["ExpressionAttributeNames"] = {"#rev": "rev"}
            put["ExpressionAttributeValues"] = {":rev": rev}
        return {"Put": put}

    def _put_ticket(self, ticket: Ticket) -> dict[str, Any]:
        item = ticket.model_dump(mode="json", exclude_none=True)
        item.update(pk=_pk(ticket.counter, ticket.day), sk=_sk(ticket.number))
        return {
            "Put": {
                "TableName": self._name,
                "Item": {k: _av(v) for k, v in item.items()},
                "ConditionExpression": "attribute_not_exists(pk)",
            }
        }

    def _put_key(self, key: str, ticket: Ticket) -> dict[str, Any]:
        expires = int((ticket.issued_at + timedelta(days=IDEMPOTENCY_DAYS)).timestamp())
        return {
            "Put": {
                "TableName": self._name,
                "Item": {
                    "pk": f"IDEM#{key}",
                    "sk": "IDEM",
                    "counter": ticket.counter,
                    "day": ticket.day.isoformat(),
                    "number": ticket.number,
                    "expires_at": expires,
                },
                "ConditionExpression": "attribute_not_exists(pk)",
            }
        }

    def _replay(self, key: str) -> Written | None:
        item = self._table.get_item(Key={"pk": f"IDEM#{key}", "sk": "IDEM"}, ConsistentRead=True).get("Item")
        if not item:
            return None
        counter, day = str(item["counter"]), date.fromisoformat(str(item["day"]))
        ticket = self.get(counter, day, int(item["number"]))
        if ticket is None:
            return None
        _, status = self._head(counter, day)
        return Written(ticket=ticket, status=status, replayed=True)

    def _events(self, before: Ticket | None, after: Ticket) -> list[dict[str, Any]]:
        """The outbox item of the change's domain event, for the change's own transaction (docs/metrics.md)."""
        event = ticket_event(before, after)
        return outbox_puts(self._outbox, [event] if event is not None else [])

    def _owed(self, advance: Advance, counter: str) -> list[dict[str, Any]]:
        """The outbox items of the notices the new status claims, for the same transaction (data-model Q9)."""
        return outbox_puts(self._outbox, advance.owed(counter))

    def _transact(self, items: list[dict[str, Any]], guarded: set[int], conflict: Conflict) -> bool:
        """True if written; False if only a head moved (read again and retry); raises `conflict` when one of
        the `guarded` items' own conditions failed."""
        try:
            self._client.transact_write_items(TransactItems=items)
            return True
        except ClientError as e:
            if e.response["Error"]["Code"] not in RETRY:
                raise
            reasons = cancellation_reasons(e)
            if any(i < len(reasons) and reasons[i] == "ConditionalCheckFailed" for i in guarded):
                raise conflict from e
            return False

    def issue(
        self,
        counter: str,
        day: date,
        build: Callable[[int], Ticket],
        advance: Advance,
        *,
        idempotency: str | None = None,
    ) -> Written:
        if idempotency and (replayed := self._replay(idempotency)):
            return replayed
        for attempt in range(MAX_ATTEMPTS):
            rev, status = self._head(counter, day)
            ticket = build(status.last_issued + 1)
            new_status = advance(status, None, ticket)
            items = [self._put_head(new_status, rev), self._put_ticket(ticket)]
            if idempotency:
                items.append(self._put_key(idempotency, ticket))
            items += self._events(None, ticket) + self._owed(advance, counter)
            try:
                if self._transact(items, {2} if idempotency else set(), Conflict(counter=counter)):
                    return Written(ticket=ticket, status=new_status.model_copy(update={"rev": (rev or 0) + 1}))
            except Conflict:
                if idempotency and (replayed := self._replay(idempotency)):
                    return replayed  # a concurrent retry with the same key issued it first
                raise
            _backoff(attempt)  # another ticket took this number first: read again and take the next
        raise Conflict(counter=counter)

    # --- reads ------------------------------------------------------------------------------------------------
    def get(self, counter: str, day: date, number: int) -> Ticket | None:
        self.reads += 1
        item = self._table.get_item(Key={"pk": _pk(counter, day), "sk": _sk(number)}).get("Item")
        return Ticket.model_validate(plain(item)) if item else None

    def status(self, counter: str, day: date) -> CounterStatus | None:
        self.reads += 1
        rev, status = self._head(counter, day)
        return status if rev is not None else None

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
    def _change_item(
        self, ticket: Ticket, expected: tuple[TicketState, ...], changes: Mapping[str, Any]
    ) -> dict[str, Any]:
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
        return {
            "Update": {
                "TableName": self._name,
                "Key": {"pk": _av(_pk(ticket.counter, ticket.day)), "sk": _av(_sk(ticket.number))},
                "UpdateExpression": expression.strip(),
                "ConditionExpression": f"#state IN ({', '.join(states)})",
                "ExpressionAttributeNames": names,
                "ExpressionAttributeValues": values,
            }
        }

    def change(
        self,
        ticket: Ticket,
        expected: tuple[TicketState, ...],
        changes: Mapping[str, Any],
        advance: Advance,
        *,
        idempotency: str | None = None,
    ) -> Written:
        if ticket.state not in expected:
            raise Conflict(ticket=ticket.id)
        updated = ticket.model_copy(update=dict(changes))
        for attempt in range(MAX_ATTEMPTS):
            rev, status = self._head(ticket.counter, ticket.day)
            new_status = advance(status, ticket, updated)
            items = [self._put_head(new_status, rev), self._change_item(ticket, expected, changes)]
            if idempotency:
                items.append(self._put_key(idempotency, updated))
            items += self._events(ticket, updated) + self._owed(advance, ticket.counter)
            if self._transact(items, {1, 2} if idempotency else {1}, Conflict(ticket=ticket.id)):
                return Written(ticket=updated, status=new_status.model_copy(update={"rev": (rev or 0) + 1}))
            _backoff(attempt)  # a concurrent change on the same day: read the head again
        raise Conflict(ticket=ticket.id)

    def by_idempotency(self, key: str) -> Ticket | None:
        replayed = self._replay(key)
        return replayed.ticket if replayed else None

    def transfer(
        self,
        ticket: Ticket,
        expected: tuple[TicketState, ...],
        changes: Mapping[str, Any],
        to_counter: str,
        build: Callable[[int], Ticket],
        advance: Advance,
        *,
        idempotency: str | None = None,
    ) -> Written:
        if ticket.state not in expected:
            raise Conflict(ticket=ticket.id)
        for attempt in range(MAX_ATTEMPTS):
            new_day = build(1).day
            to_rev, to_status = self._head(to_counter, new_day)
            new = build(to_status.last_issued + 1)
            closing = {**changes, "transferred_to": new.id}
            closed = ticket.model_copy(update=closing)
            rev, status = self._head(ticket.counter, ticket.day)
            from_status = advance(status, ticket, closed)
            target = advance(to_status, None, new)  # a transfer goes to another counter: owed apart
            items = [
                self._put_head(from_status, rev),
                self._change_item(ticket, expected, closing),
                self._put_head(target, to_rev),
                self._put_ticket(new),
            ]
            if idempotency:
                items.append(self._put_key(idempotency, new))
            items += self._events(None, new) + self._owed(advance, ticket.counter) + self._owed(advance, to_counter)
            if self._transact(items, {1, 4} if idempotency else {1}, Conflict(ticket=ticket.id)):
                return Written(
                    ticket=new,
                    status=from_status.model_copy(update={"rev": (rev or 0) + 1}),
                    target=target.model_copy(update={"rev": (to_rev or 0) + 1}),
                )
            _backoff(attempt)
        raise Conflict(ticket=ticket.id)

    def set_notify(self, ticket: Ticket, notify: Mapping[str, Any], advance: Advance) -> Written:
        return self.change(ticket, LIVE, {"notify": Notify.model_validate(notify)}, advance)

    # --- live congestion ------------------------------------------------------------------------------------
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
    def put_day_stats(self, stats: DayStats, rev: int | None = None) -> None:
        item = {"pk": f"STATS#{stats.counter}", "sk": stats.day.isoformat(), "data": stats.model_dump_json()}
        if rev is None:
            self._cache.put_item(Item=item)
            return
        try:
            self._cache.put_item(
                Item=item | {"rev": rev},
                ConditionExpression="attribute_not_exists(#rev) OR #rev <= :rev",
                ExpressionAttributeNames={"#rev": "rev"},
                ExpressionAttributeValues={":rev": rev},
            )
        except ClientError as e:
            if e.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise  # else a newer aggregate of that day is there

    def put_many_day_stats(self, stats: list[DayStats]) -> None:
        with self._cache.batch_writer() as batch:
            for s in stats:
                batch.put_item(Item={"pk": f"STATS#{s.counter}", "sk": s.day.isoformat(), "data": s.model_dump_json()})

    def day_stats(self, counter: str, since: date, until: date) -> list[DayStats]:
        items: list[dict[str, Any]] = []
        kwargs: dict[str, Any] = {
            "KeyConditionExpression": Key("pk").eq(f"STATS#{counter}")
            & Key("sk").between(since.isoformat(), until.isoformat())
        }
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

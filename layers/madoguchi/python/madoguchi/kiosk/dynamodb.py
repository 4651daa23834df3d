"""Kiosk sessions and the kiosk's resident directory on DynamoDB: GetItem, one-partition Query, conditional writes.

Items (pk, sk) of the kiosk table:
- ``SESSION#<id>``, ``SESSION``: a session (model fields; `ttl` removes it a day after it expires)
- ``RESIDENT#<lookup key>``, ``<resident id>``: the four items of a resident record, for matching a card
  (madoguchi.kiosk.matching.lookup_key); written from the city's resident records, encrypted at rest
- ``RECORD#<resident id>``, ``RECORD``: what a 住民票の写し shows of that record (address, household members)
- ``KOSEKI#<resident id>``, ``KOSEKI``: the 戸籍 the resident is listed in, when this city keeps it (本籍 here)
- ``ORDER#<id>``, ``ORDER``: a certificate order (resident id, options, payment, issue number; no record content);
  while it waits for its payment to settle (awaiting_payment, refunding) it carries `waiting` = ``ORDER`` and
  `waiting_at` = ``<created_at>#<id>``, the keys of the sparse index `waiting` the kiosk reconciler queries
- ``COUNTER#ISSUE#<year>``, ``COUNTER``: the certificate issue serial, incremented atomically

Claiming a challenge is one UpdateItem on condition ``state = challenged AND kiosk = :kiosk AND
challenge_expires_epoch > :now``: of two concurrent answers exactly one wins. A failed condition is explained by a
consistent read (used, expired, or not this kiosk's session).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from boto3.dynamodb.conditions import Key
from botocore.exceptions import ClientError

from madoguchi.kiosk.matching import FourItems
from madoguchi.kiosk.models import (
    WAITING_STATES,
    ChallengeExpired,
    ChallengeUsed,
    FamilyRegister,
    KioskOrder,
    KioskSession,
    ResidentRecord,
)
from madoguchi.kiosk.store import (
    FamilyRegisters,
    KioskOrderStore,
    KioskSessionStore,
    ResidentDirectory,
    ResidentRecords,
)
from madoguchi.shared.aws import dynamodb_table
from madoguchi.shared.dynamodb import plain, query_all, transact
from madoguchi.shared.errors import Conflict, NotFound
from madoguchi.shared.outbox import Outboxed

KEEP_AFTER_EXPIRY_SECONDS = 24 * 3600
WAITING = "ORDER"  # the one partition of the sparse index `waiting`: only orders still to settle are in it
ORDER_KEEP_SECONDS = 400 * 24 * 3600  # orders are the issue ledger: a year and a month for the audit


def _key(session_id: str) -> dict[str, str]:
    return {"pk": f"SESSION#{session_id}", "sk": "SESSION"}


def _condition_failed(error: ClientError) -> bool:
    return error.response["Error"]["Code"] == "ConditionalCheckFailedException"


class DynamoKioskSessions(KioskSessionStore):
    def __init__(self, table_name: str) -> None:
        self._table = dynamodb_table(table_name)

    def put(self, session: KioskSession) -> None:
        item = {
            **_key(session.id),
            **session.model_dump(mode="json"),
            "challenge_expires_epoch": int(session.challenge_expires_at.timestamp()),
            "ttl": int(session.expires_at.timestamp()) + KEEP_AFTER_EXPIRY_SECONDS,
        }
        try:
            self._table.put_item(Item=item, ConditionExpression="attribute_not_exists(pk)")
        except ClientError as e:
            if _condition_failed(e):
                raise Conflict() from e
            raise

    def get(self, session_id: str) -> KioskSession | None:
        item = self._table.get_item(Key=_key(session_id), ConsistentRead=True).get("Item")
        return _session(item) if item else None

    def claim_challenge(self, session_id: str, kiosk: str, now: datetime) -> KioskSession:
        try:
            answer = self._table.update_item(
                Key=_key(session_id),
                UpdateExpression="SET #state = :verifying",
                ConditionExpression="#state = :challenged AND kiosk = :kiosk AND challenge_expires_epoch > :now",
                ExpressionAttributeNames={"#state": "state"},
                ExpressionAttributeValues={
                    ":verifying": "verifying",
                    ":challenged": "challenged",
                    ":kiosk": kiosk,
                    ":now": int(now.timestamp()),
                },
                ReturnValues="ALL_NEW",
            )
        except ClientError as e:
            if not _condition_failed(e):
                raise
            current = self.get(session_id)
            if current is None or current.kiosk != kiosk:
                raise NotFound() from e
            if current.state != "challenged":
                raise ChallengeUsed() from e
            raise ChallengeExpired() from e
        return _session(answer["Attributes"])

    def finish(self, session_id: str, changes: Mapping[str, Any]) -> KioskSession:
        names = {f"#f{i}": field for i, field in enumerate(changes)}
        values: dict[str, Any] = {f":v{i}": value for i, value in enumerate(changes.values())}
        assignments = ", ".join(f"#f{i} = :v{i}" for i in range(len(changes)))
        try:
            answer = self._table.update_item(
                Key=_key(session_id),
                UpdateExpression=f"SET {assignments}",
                ConditionExpression="#state = :verifying",
                ExpressionAttributeNames={**names, "#state": "state"},
                ExpressionAttributeValues={**values, ":verifying": "verifying"},
                ReturnValues="ALL_NEW",
            )
        except ClientError as e:
            if _condition_failed(e):
                raise Conflict() from e
            raise
        return _session(answer["Attributes"])


class DynamoResidentDirectory(ResidentDirectory):
    def __init__(self, table_name: str) -> None:
        self._table = dynamodb_table(table_name)

    def put(self, resident_id: str, lookup_key: str, items: FourItems) -> None:
        """A resident record for matching (from the city's resident records; the demo seed locally)."""
        self._table.put_item(
            Item={
                "pk": f"RESIDENT#{lookup_key}",
                "sk": resident_id,
                "name": items.name,
                "address": items.address,
                "date_of_birth": items.date_of_birth,
                "sex": items.sex,
            }
        )

    def candidates(self, lookup_key: str) -> list[tuple[str, FourItems]]:
        items = query_all(self._table, KeyConditionExpression=Key("pk").eq(f"RESIDENT#{lookup_key}"))
        return [
            (str(item["sk"]), FourItems(item["name"], item["address"], item["date_of_birth"], item["sex"]))
            for item in items
        ]


class DynamoKioskOrders(KioskOrderStore):
    def __init__(self, table_name: str, outbox_table: str | None = None) -> None:
        self._table = dynamodb_table(table_name)
        self._outbox = outbox_table  # domain events go here in the order's transaction (None: none written)

    @staticmethod
    def _key(order_id: str) -> dict[str, str]:
        return {"pk": f"ORDER#{order_id}", "sk": "ORDER"}

    def create(self, order: KioskOrder) -> KioskOrder:
        item = {**self._key(order.id), **order.model_dump(mode="json", exclude_none=True)}
        item["ttl"] = int(order.created_at.timestamp()) + ORDER_KEEP_SECONDS
        if order.state in WAITING_STATES:
            item.update(waiting=WAITING, waiting_at=f"{order.created_at.isoformat()}#{order.id}")
        try:
            self._table.put_item(Item=item, ConditionExpression="attribute_not_exists(pk)")
        except ClientError as e:
            if not _condition_failed(e):
                raise
            existing = self.get(order.id)
            if existing is None:
                raise Conflict() from e
            return existing
        return order

    def get(self, order_id: str) -> KioskOrder | None:
        item = self._table.get_item(Key=self._key(order_id), ConsistentRead=True).get("Item")
        return KioskOrder.model_validate(plain(dict(item))) if item else None

    def update(
        self, order_id: str, expected_state: str, changes: Mapping[str, Any], events: Sequence[Outboxed] = ()
    ) -> KioskOrder:
        names = {f"#f{i}": field for i, field in enumerate(changes)}
        values: dict[str, Any] = {f":v{i}": value for i, value in enumerate(changes.values())}
        expression = "SET " + ", ".join(f"#f{i} = :v{i}" for i in range(len(changes)))
        if "state" in changes and changes["state"] not in WAITING_STATES:
            expression += " REMOVE waiting, waiting_at"  # settled: out of the reconciler's index
        update = {
            "Key": self._key(order_id),
            "UpdateExpression": expression,
            "ConditionExpression": "#state = :expected",
            "ExpressionAttributeNames": {**names, "#state": "state"},
            "ExpressionAttributeValues": {**values, ":expected": expected_state},
        }
        if events and self._outbox:
            # The change and its domain events in one transaction (docs/metrics.md): both or neither
            puts = [event.outbox_put(self._outbox) for event in events]
            transact(self._table.meta.client, [{"Update": {"TableName": self._table.name, **update}}, *puts])
            order = self.get(order_id)
            if order is None:
                raise Conflict()
            return order
        try:
            answer = self._table.update_item(**update, ReturnValues="ALL_NEW")
        except ClientError as e:
            if _condition_failed(e):
                raise Conflict() from e
            raise
        return KioskOrder.model_validate(plain(dict(answer["Attributes"])))

    def left_waiting(self, created_before: datetime, limit: int) -> list[KioskOrder]:
        answer = self._table.query(
            IndexName="waiting",
            KeyConditionExpression=Key("waiting").eq(WAITING) & Key("waiting_at").lt(created_before.isoformat()),
            Limit=limit,
        )
        # The index is eventually consistent: read each order again before acting on it
        found = (self.get(str(item["pk"]).removeprefix("ORDER#")) for item in answer.get("Items", []))
        return [order for order in found if order is not None and order.state in WAITING_STATES]

    def look_again_later(self, order_id: str, now: datetime) -> None:
        try:
            self._table.update_item(
                Key=self._key(order_id),
                UpdateExpression="SET waiting_at = :at",
                ConditionExpression="attribute_exists(waiting)",  # settled meanwhile: out of the index, stays out
                ExpressionAttributeValues={":at": f"{now.isoformat()}#{order_id}"},
            )
        except ClientError as e:
            if not _condition_failed(e):
                raise

    def next_issue_serial(self, year: int) -> int:
        answer = self._table.update_item(
            Key={"pk": f"COUNTER#ISSUE#{year}", "sk": "COUNTER"},
            UpdateExpression="ADD serial :one",
            ExpressionAttributeValues={":one": 1},
            ReturnValues="UPDATED_NEW",
        )
        return int(answer["Attributes"]["serial"])


class DynamoResidentRecords(ResidentRecords):
    def __init__(self, table_name: str) -> None:
        self._table = dynamodb_table(table_name)

    def put(self, record: ResidentRecord) -> None:
        """A resident record (from the city's 住民記録; the demo seed locally)."""
        self._table.put_item(Item={"pk": f"RECORD#{record.id}", "sk": "RECORD", **record.model_dump(mode="json")})

    def record(self, resident_id: str) -> ResidentRecord | None:
        item = self._table.get_item(Key={"pk": f"RECORD#{resident_id}", "sk": "RECORD"}).get("Item")
        if not item:
            return None
        fields = {k: v for k, v in plain(dict(item)).items() if k not in ("pk", "sk")}
        return ResidentRecord.model_validate(fields)


class DynamoFamilyRegisters(FamilyRegisters):
    """The 戸籍 this city keeps, one item per listed resident (loaded from the city's 戸籍情報システム)."""

    def __init__(self, table_name: str) -> None:
        self._table = dynamodb_table(table_name)

    def put(self, resident_id: str, register: FamilyRegister) -> None:
        self._table.put_item(Item={"pk": f"KOSEKI#{resident_id}", "sk": "KOSEKI", **register.model_dump(mode="json")})

    def register_of(self, resident_id: str) -> FamilyRegister | None:
        item = self._table.get_item(Key={"pk": f"KOSEKI#{resident_id}", "sk": "KOSEKI"}).get("Item")
        if not item:
            return None
        return FamilyRegister.model_validate({k: v for k, v in plain(dict(item)).items() if k not in ("pk", "sk")})


def _session(item: Mapping[str, Any]) -> KioskSession:
    return KioskSession.model_validate(plain(dict(item)))

"""Reservations in one DynamoDB table (docs/data-model.md, "Reservations"): GetItem, Query, conditional writes
and transactions only.

Keys:
  FACILITY / <facilityId>                       facility settings (all in one partition: a few dozen)
  SLOT#<facilityId>#<YYYY-MM> / <date>#<unit>#<HH:MM>   one item per taken slot; absent = free
  RES#<id> / RES                                reservation; `owner`+`created_at` (index by_owner), and while
                                                held `queue`=HOLD + `queue_at`=expires_at (sparse index queue)
  RED#<id> / RED                                fee reduction; queue=REDUCTION while pending
  LOT#<facilityId>#<YYYY-MM> / ROUND | DRAW | APP#<date>#<unit>#<HH:MM>#<owner>
  GUARD#<key> / GUARD                           per-account version, bumped by each hold / lottery entry
  IDEM#<key> / IDEM                             idempotency record (result), kept a day (ttl)
  RATE#<key> / RATE                             write counter of one caller's window (ttl)
A refund or an e-mail a change owes is an effect in the outbox table, written in the change's transaction.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any

from boto3.dynamodb.conditions import Key
from botocore.exceptions import ClientError

from madoguchi.effects.models import outbox_puts
from madoguchi.reservations.facilities import Facility
from madoguchi.reservations.models import (
    Draw,
    FeeReduction,
    LotteryApplication,
    ReductionStatus,
    Reservation,
    Round,
    SlotRef,
    SlotTaken,
    Status,
)
from madoguchi.reservations.store import (
    REMEMBER_HOURS,
    Contact,
    FacilityChange,
    Guard,
    GuardMoved,
    ReservationStore,
    ResidentContacts,
    SlotRecord,
)
from madoguchi.shared.aws import dynamodb_table
from madoguchi.shared.dynamodb import query_all, transact
from madoguchi.shared.errors import Conflict, NotFound
from madoguchi.shared.outbox import Outboxed

FACILITY_PARTITION = "FACILITY"
HOLD_QUEUE = "HOLD"
REDUCTION_QUEUE = "REDUCTION"
FREE_OR_EXPIRED = "attribute_not_exists(pk) OR (#state = :held AND expires_at <= :now)"


def _code(e: ClientError) -> str:
    return str(e.response["Error"]["Code"])


def slot_pk(facility_id: str, day: date) -> str:
    return f"SLOT#{facility_id}#{day.isoformat()[:7]}"


def slot_sk(day: date, unit_id: str, start: str) -> str:
    return f"{day.isoformat()}#{unit_id}#{start}"


def _epoch(at: datetime) -> int:
    return int(at.timestamp())


class DynamoReservationStore(ReservationStore):
    def __init__(self, table_name: str, outbox_table: str | None = None) -> None:
        self._table = dynamodb_table(table_name)
        self._name = table_name
        self._outbox = outbox_table  # domain events and effects go here in the change's transaction

    def _outbox_puts(self, events: Sequence[Outboxed]) -> list[dict[str, Any]]:
        return outbox_puts(self._outbox, events)  # a refund or an e-mail owed is never dropped: NoOutbox

    @property
    def _client(self) -> Any:
        return self._table.meta.client

    # --- facilities -------------------------------------------------------------------------------------
    def facilities(self) -> list[Facility]:
        items = query_all(self._table, KeyConditionExpression=Key("pk").eq(FACILITY_PARTITION))
        return [Facility.model_validate_json(item["data"]) for item in items]

    def facility(self, facility_id: str) -> Facility | None:
        item = self._table.get_item(Key={"pk": FACILITY_PARTITION, "sk": facility_id}).get("Item")
        return Facility.model_validate_json(item["data"]) if item else None

    def put_facility(self, facility: Facility) -> None:
        self._table.put_item(Item={"pk": FACILITY_PARTITION, "sk": facility.id, "data": facility.model_dump_json()})

    def change_facility(self, facility: Facility, change: FacilityChange) -> None:
        # The resource's client takes plain values (boto3 serialises them), as the other transactions here do.
        settings = {"pk": FACILITY_PARTITION, "sk": facility.id, "data": facility.model_dump_json()}
        audit = {
            "pk": f"FACILITY_AUDIT#{facility.id}",
            "sk": f"{change.at.isoformat()}#{uuid.uuid4().hex[:8]}",
            "actor": change.actor,
            "at": change.at.isoformat(),
            "fields": list(change.fields),
            "action": change.action,
        }
        if change.day is not None:
            audit["day"] = change.day.isoformat()
        if change.reason is not None:
            audit["reason"] = change.reason
        try:
            transact(
                self._client,
                [
                    {"Put": {"TableName": self._name, "Item": settings, "ConditionExpression": "attribute_exists(pk)"}},
                    {
                        "Put": {
                            "TableName": self._name,
                            "Item": audit,
                            "ConditionExpression": "attribute_not_exists(pk)",
                        }
                    },
                ],
            )
        except Conflict:
            if self.facility(facility.id) is None:
                raise NotFound(facility=facility.id) from None
            raise

    def facility_changes(self, facility_id: str) -> list[FacilityChange]:
        items = query_all(self._table, KeyConditionExpression=Key("pk").eq(f"FACILITY_AUDIT#{facility_id}"))
        return [
            FacilityChange(
                facility_id=facility_id,
                actor=str(i["actor"]),
                at=datetime.fromisoformat(str(i["at"])),
                fields=tuple(str(f) for f in i["fields"]),
                action=str(i.get("action", "settings")),
                day=date.fromisoformat(str(i["day"])) if "day" in i else None,
                reason=str(i["reason"]) if "reason" in i else None,
            )
            for i in items
        ]

    # --- slots ------------------------------------------------------------------------------------------
    def slots(self, facility_id: str, day: date) -> list[SlotRecord]:
        items = query_all(
            self._table,
            KeyConditionExpression=Key("pk").eq(slot_pk(facility_id, day)) & Key("sk").begins_with(day.isoformat()),
        )
        return [_slot(item) for item in items]

    def month_slots(self, facility_id: str, month: str) -> list[SlotRecord]:
        items = query_all(self._table, KeyConditionExpression=Key("pk").eq(f"SLOT#{facility_id}#{month}"))
        return [_slot(item) for item in items]

    def close_slots(self, facility_id: str, day: date, slots: list[SlotRef], now: datetime) -> None:
        for slot in slots:
            try:
                self._table.put_item(
                    Item={
                        "pk": slot_pk(facility_id, day),
                        "sk": slot_sk(day, slot.unit_id, slot.start),
                        "state": "closed",
                    },
                    ConditionExpression=FREE_OR_EXPIRED,
                    ExpressionAttributeNames={"#state": "state"},
                    ExpressionAttributeValues={":held": "held", ":now": now.isoformat()},
                )
            except ClientError as e:
                if _code(e) != "ConditionalCheckFailedException":
                    raise

    # --- reservations -----------------------------------------------------------------------------------
    def _item(self, reservation: Reservation) -> dict[str, Any]:
        item: dict[str, Any] = {
            "pk": f"RES#{reservation.id}",
            "sk": "RES",
            "kind": "reservation",
            "owner": reservation.owner,
            "created_at": reservation.created_at.isoformat(),
            "status": reservation.status.value,
            "data": reservation.model_dump_json(),
        }
        if reservation.status is Status.HELD:
            item["queue"] = HOLD_QUEUE
            item["queue_at"] = reservation.expires_at.isoformat()
        return item

    def _guard_put(self, guard: Guard) -> dict[str, Any]:
        return {
            "Put": {
                "TableName": self._name,
                "Item": {"pk": f"GUARD#{guard.key}", "sk": "GUARD", "version": guard.version + 1},
                "ConditionExpression": "attribute_not_exists(pk) OR version = :version",
                "ExpressionAttributeValues": {":version": guard.version},
            }
        }

    def _remember_put(self, key: str, value: str, at: datetime) -> dict[str, Any]:
        return {
            "Put": {
                "TableName": self._name,
                "Item": {
                    "pk": f"IDEM#{key}",
                    "sk": "IDEM",
                    "value": value,
                    "at": at.isoformat(),
                    "ttl": _epoch(at + timedelta(hours=REMEMBER_HOURS)),
                },
                "ConditionExpression": "attribute_not_exists(pk)",
            }
        }

    def guard_version(self, key: str) -> int:
        item = self._table.get_item(Key={"pk": f"GUARD#{key}", "sk": "GUARD"}, ConsistentRead=True).get("Item")
        return int(item["version"]) if item else 0

    def remembered(self, key: str) -> str | None:
        item = self._table.get_item(Key={"pk": f"IDEM#{key}", "sk": "IDEM"}, ConsistentRead=True).get("Item")
        return str(item["value"]) if item else None

    def count_write(self, key: str, until: datetime) -> int:
        result = self._table.update_item(
            Key={"pk": f"RATE#{key}", "sk": "RATE"},
            UpdateExpression="ADD #count :one SET #ttl = :ttl",
            ExpressionAttributeNames={"#count": "count", "#ttl": "ttl"},
            ExpressionAttributeValues={":one": 1, ":ttl": _epoch(until)},
            ReturnValues="UPDATED_NEW",
        )
        return int(result["Attributes"]["count"])

    def _slot_put(self, reservation: Reservation, slot: SlotRef, state: str, now: datetime) -> dict[str, Any]:
        item: dict[str, Any] = {
            "pk": slot_pk(reservation.facility_id, reservation.date),
            "sk": slot_sk(reservation.date, slot.unit_id, slot.start),
            "state": state,
            "reservation_id": reservation.id,
        }
        if state == "held":
            item["expires_at"] = reservation.expires_at.isoformat()
            # TTL removes forgotten holds eventually; expiry itself never waits for it (expires_at decides).
            item["ttl"] = _epoch(reservation.expires_at) + 24 * 3600
        return {
            "Put": {
                "TableName": self._name,
                "Item": item,
                "ConditionExpression": FREE_OR_EXPIRED,
                "ExpressionAttributeNames": {"#state": "state"},
                "ExpressionAttributeValues": {":held": "held", ":now": now.isoformat()},
            }
        }

    def _transact(self, items: list[dict[str, Any]]) -> bool:
        """Whether the writes happened (False: a slot or status changed first)."""
        try:
            # The resource's client converts Python values to DynamoDB's typed form itself.
            transact(self._client, items)
        except Conflict:
            return False
        return True

    def place_hold(
        self, reservation: Reservation, now: datetime, *, guard: Guard | None = None, remember: str | None = None
    ) -> None:
        items: list[dict[str, Any]] = [
            {
                "Put": {
                    "TableName": self._name,
                    "Item": self._item(reservation),
                    "ConditionExpression": "attribute_not_exists(pk)",
                }
            }
        ]
        items += [self._slot_put(reservation, slot, "held", now) for slot in reservation.slots]
        if guard is not None:
            items.append(self._guard_put(guard))
        if remember:
            items.append(self._remember_put(remember, reservation.id, now))
        if not self._transact(items):
            if guard is not None and self.guard_version(guard.key) != guard.version:
                raise GuardMoved()
            raise SlotTaken()

    def get(self, reservation_id: str) -> Reservation | None:
        item = self._table.get_item(Key={"pk": f"RES#{reservation_id}", "sk": "RES"}).get("Item")
        return Reservation.model_validate_json(item["data"]) if item else None

    def by_owner(self, owner: str) -> list[Reservation]:
        items = query_all(
            self._table,
            IndexName="by_owner",
            KeyConditionExpression=Key("owner").eq(owner),
            ScanIndexForward=False,
        )
        return [Reservation.model_validate_json(i["data"]) for i in items if i.get("kind") == "reservation"]

    def _reservation_put(self, reservation: Reservation, expected: str) -> dict[str, Any]:
        return {
            "Put": {
                "TableName": self._name,
                "Item": self._item(reservation),
                "ConditionExpression": "#status = :expected",
                "ExpressionAttributeNames": {"#status": "status"},
                "ExpressionAttributeValues": {":expected": expected},
            }
        }

    def update(self, reservation: Reservation, expected: str, events: Sequence[Outboxed] = ()) -> None:
        if puts := self._outbox_puts(events):
            if not self._transact([self._reservation_put(reservation, expected), *puts]):
                raise Conflict()
            return
        put = self._reservation_put(reservation, expected)["Put"]
        del put["TableName"]
        try:
            self._table.put_item(**put)
        except ClientError as e:
            if _code(e) == "ConditionalCheckFailedException":
                raise Conflict() from e
            raise

    def confirm(self, reservation: Reservation, now: datetime, events: Sequence[Outboxed] = ()) -> bool:
        items = [self._reservation_put(reservation, Status.HELD.value)]
        for slot in reservation.slots:
            items.append(
                {
                    "Update": {
                        "TableName": self._name,
                        "Key": {
                            "pk": slot_pk(reservation.facility_id, reservation.date),
                            "sk": slot_sk(reservation.date, slot.unit_id, slot.start),
                        },
                        "UpdateExpression": "SET #state = :booked REMOVE expires_at, #ttl",
                        "ConditionExpression": "reservation_id = :rid",
                        "ExpressionAttributeNames": {"#state": "state", "#ttl": "ttl"},
                        "ExpressionAttributeValues": {":booked": "booked", ":rid": reservation.id},
                    }
                }
            )
        return self._transact(items + self._outbox_puts(events))

    def reacquire(self, reservation: Reservation, now: datetime, events: Sequence[Outboxed] = ()) -> bool:
        items = [self._reservation_put(reservation, Status.EXPIRED.value)]
        items += [self._slot_put(reservation, slot, "booked", now) for slot in reservation.slots]
        return self._transact(items + self._outbox_puts(events))

    def release(
        self,
        reservation: Reservation,
        expected: str,
        *,
        remember: tuple[str, str] | None = None,
        now: datetime | None = None,
        events: Sequence[Outboxed] = (),
    ) -> bool:
        puts = self._outbox_puts(events)
        if remember or puts:
            at = now or reservation.created_at
            answer = [self._remember_put(*remember, at)] if remember else []
            if not self._transact([self._reservation_put(reservation, expected), *answer, *puts]):
                return False
        else:
            put = self._reservation_put(reservation, expected)["Put"]
            del put["TableName"]
            try:
                self._table.put_item(**put)
            except ClientError as e:
                if _code(e) == "ConditionalCheckFailedException":
                    return False
                raise
        # The reservation's new status is the commit point; freeing each slot only if it is still ours is
        # idempotent and safe to repeat (an expired hold reads as free anyway).
        for slot in reservation.slots:
            try:
                self._table.delete_item(
                    Key={
                        "pk": slot_pk(reservation.facility_id, reservation.date),
                        "sk": slot_sk(reservation.date, slot.unit_id, slot.start),
                    },
                    ConditionExpression="reservation_id = :rid",
                    ExpressionAttributeValues={":rid": reservation.id},
                )
            except ClientError as e:
                if _code(e) != "ConditionalCheckFailedException":
                    raise
        return True

    def due_holds(self, before: datetime) -> list[Reservation]:
        items = query_all(
            self._table,
            IndexName="queue",
            KeyConditionExpression=Key("queue").eq(HOLD_QUEUE) & Key("queue_at").lt(before.isoformat()),
        )
        return [Reservation.model_validate_json(i["data"]) for i in items]

    def open_holds(self) -> list[Reservation]:
        items = query_all(self._table, IndexName="queue", KeyConditionExpression=Key("queue").eq(HOLD_QUEUE))
        return [Reservation.model_validate_json(i["data"]) for i in items]

    # --- fee reductions ---------------------------------------------------------------------------------
    def _reduction_item(self, reduction: FeeReduction) -> dict[str, Any]:
        item: dict[str, Any] = {
            "pk": f"RED#{reduction.id}",
            "sk": "RED",
            "kind": "reduction",
            "owner": reduction.owner,
            "created_at": reduction.requested_at.isoformat(),
            "status": reduction.status.value,
            "data": reduction.model_dump_json(),
        }
        if reduction.status is ReductionStatus.PENDING:
            item["queue"] = REDUCTION_QUEUE
            item["queue_at"] = reduction.requested_at.isoformat()
        return item

    def add_reduction(self, reduction: FeeReduction) -> None:
        try:
            self._table.put_item(Item=self._reduction_item(reduction), ConditionExpression="attribute_not_exists(pk)")
        except ClientError as e:
            if _code(e) == "ConditionalCheckFailedException":
                raise Conflict() from e
            raise

    def reduction(self, reduction_id: str) -> FeeReduction | None:
        item = self._table.get_item(Key={"pk": f"RED#{reduction_id}", "sk": "RED"}).get("Item")
        return FeeReduction.model_validate_json(item["data"]) if item else None

    def reductions_of(self, owner: str) -> list[FeeReduction]:
        items = query_all(self._table, IndexName="by_owner", KeyConditionExpression=Key("owner").eq(owner))
        return [FeeReduction.model_validate_json(i["data"]) for i in items if i.get("kind") == "reduction"]

    def pending_reductions(self) -> list[FeeReduction]:
        items = query_all(self._table, IndexName="queue", KeyConditionExpression=Key("queue").eq(REDUCTION_QUEUE))
        return [FeeReduction.model_validate_json(i["data"]) for i in items]

    def decide_reduction(self, reduction: FeeReduction) -> None:
        try:
            self._table.put_item(
                Item=self._reduction_item(reduction),
                ConditionExpression="#status = :pending",
                ExpressionAttributeNames={"#status": "status"},
                ExpressionAttributeValues={":pending": ReductionStatus.PENDING.value},
            )
        except ClientError as e:
            if _code(e) == "ConditionalCheckFailedException":
                raise Conflict() from e
            raise

    # --- lottery ----------------------------------------------------------------------------------------
    def _put_once(self, item: dict[str, Any]) -> None:
        try:
            self._table.put_item(Item=item, ConditionExpression="attribute_not_exists(pk)")
        except ClientError as e:
            if _code(e) == "ConditionalCheckFailedException":
                raise Conflict() from e
            raise

    def put_round(self, lottery_round: Round) -> None:
        pk = f"LOT#{lottery_round.facility_id}#{lottery_round.month}"
        self._put_once({"pk": pk, "sk": "ROUND", "data": lottery_round.model_dump_json()})

    def round(self, facility_id: str, month: str) -> Round | None:
        item = self._table.get_item(Key={"pk": f"LOT#{facility_id}#{month}", "sk": "ROUND"}).get("Item")
        return Round.model_validate_json(item["data"]) if item else None

    def add_application(self, application: LotteryApplication, *, guard: Guard | None = None) -> None:
        item = {
            "pk": f"LOT#{application.facility_id}#{application.month}",
            "sk": f"APP#{application.slot_key}#{application.owner}",
            "kind": "lottery",
            "owner": application.owner,
            "created_at": application.created_at.isoformat(),
            "data": application.model_dump_json(),
        }
        if guard is None:
            self._put_once(item)
            return
        put = {"Put": {"TableName": self._name, "Item": item, "ConditionExpression": "attribute_not_exists(pk)"}}
        if not self._transact([put, self._guard_put(guard)]):
            if self.guard_version(guard.key) != guard.version:
                raise GuardMoved()
            raise Conflict()

    def applications(self, facility_id: str, month: str) -> list[LotteryApplication]:
        items = query_all(
            self._table,
            KeyConditionExpression=Key("pk").eq(f"LOT#{facility_id}#{month}") & Key("sk").begins_with("APP#"),
        )
        return [LotteryApplication.model_validate_json(i["data"]) for i in items]

    def applications_of(self, owner: str) -> list[LotteryApplication]:
        items = query_all(self._table, IndexName="by_owner", KeyConditionExpression=Key("owner").eq(owner))
        return [LotteryApplication.model_validate_json(i["data"]) for i in items if i.get("kind") == "lottery"]

    def put_draw(self, draw: Draw) -> None:
        self._put_once(
            {
                "pk": f"LOT#{draw.facility_id}#{draw.month}",
                "sk": "DRAW",
                "data": draw.model_dump_json(),
                "offers": {key: 0 for key in draw.order},
            }
        )

    def draw(self, facility_id: str, month: str) -> Draw | None:
        item = self._table.get_item(Key={"pk": f"LOT#{facility_id}#{month}", "sk": "DRAW"}).get("Item")
        if not item:
            return None
        draw = Draw.model_validate_json(item["data"])
        draw.offered = {k: int(v) for k, v in item.get("offers", {}).items()}
        return draw

    def advance_waiting(self, draw: Draw, slot_key: str, position: int) -> bool:
        try:
            self._table.update_item(
                Key={"pk": f"LOT#{draw.facility_id}#{draw.month}", "sk": "DRAW"},
                UpdateExpression="SET offers.#slot = :next",
                ConditionExpression="offers.#slot = :current",
                ExpressionAttributeNames={"#slot": slot_key},
                ExpressionAttributeValues={":next": position, ":current": position - 1},
            )
        except ClientError as e:
            if _code(e) == "ConditionalCheckFailedException":
                return False
            raise
        return True


def _slot(item: dict[str, Any]) -> SlotRecord:
    day, unit_id, start = str(item["sk"]).split("#")
    expires = item.get("expires_at")
    return SlotRecord(
        date=date.fromisoformat(day),
        unit_id=unit_id,
        start=start,
        state=str(item["state"]),
        reservation_id=item.get("reservation_id"),
        expires_at=datetime.fromisoformat(expires) if expires else None,
    )


class DynamoResidentContacts(ResidentContacts):
    """E-mail and language from the resident record (applications table, `RESIDENT#<id>`): only those two
    attributes are read."""

    def __init__(self, table_name: str) -> None:
        self._table = dynamodb_table(table_name)

    def contact(self, resident_id: str) -> Contact | None:
        item = self._table.get_item(
            Key={"pk": f"RESIDENT#{resident_id}", "sk": "RESIDENT"},
            ProjectionExpression="#email, #lang",
            ExpressionAttributeNames={"#email": "email", "#lang": "lang"},
        ).get("Item")
        if not item or not item.get("email"):
            return None
        return Contact(email=str(item["email"]), lang=str(item.get("lang") or "ja"))

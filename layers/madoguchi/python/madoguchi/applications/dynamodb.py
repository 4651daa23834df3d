"""Applications in DynamoDB (table `applications`). See docs/data-model.md for the access patterns.

| pk                     | sk                  | item                                                           |
|------------------------|---------------------|----------------------------------------------------------------|
| APP#<id>               | APP                 | the application; `owner`/`created_at` (index `owner`) and, once |
|                        |                     | submitted, `inbox`=department / `inbox_sk`=status#submitted_at  |
|                        |                     | (while the fee is unpaid: `inbox`=PAYMENT / updated_at#id)      |
| APP#<id>               | ATT#<attachment id> | one attachment and its check                                   |
| APP#<id>               | VERIFY#<id>         | an internal verification; `inbox`=VERIFY#<department> while open |
| APP#<id>               | AUDIT#<at>#<rand>   | one audit entry, put once (attribute_not_exists), never updated |
| CODE#<short code>      | CODE                | -> application id (QR / typed code at the counter)             |
| IDEM#<caller>#<key>    | IDEM                | -> application id (Idempotency-Key), expires after a day        |
| VISIT#<id>             | VISIT               | card-reader data of one visit; TTL `expires_at`                |
| RESIDENT#<id>          | RESIDENT            | what the city knows of a resident (demo 住民記録)              |
| INBOX#<department>     | COUNT               | the department's waiting work: `received`, `in_review`, `verify` |
|                        |                     | (moved in the same transaction as each change that moves it)   |
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from boto3.dynamodb.conditions import Key
from botocore.exceptions import ClientError

from madoguchi.applications.models import Application, Attachment, AuditEntry, Resident, Visit
from madoguchi.applications.store import ApplicationRecord, ApplicationStore
from madoguchi.cases.models import Verification
from madoguchi.effects.models import Effect, outbox_puts
from madoguchi.metrics.models import DomainEvent
from madoguchi.shared.aws import dynamodb_table
from madoguchi.shared.dynamodb import decode_cursor, encode_cursor, plain, query_all, transact
from madoguchi.shared.errors import Conflict

APP = "APP"
IDEMPOTENCY_DAYS = 1


def _pk(application_id: str) -> str:
    return f"APP#{application_id}"


PAYMENT_INBOX = "PAYMENT"  # upper case: never a department key


def _app_item(a: Application) -> dict[str, Any]:
    item = a.model_dump(mode="json", exclude_none=True)
    item.update(pk=_pk(a.id), sk=APP)
    if a.owner is None:
        item.pop("owner", None)
    if a.status == "awaiting_payment":  # not yet for staff: only reconciliation looks here
        item["inbox"] = PAYMENT_INBOX
        item["inbox_sk"] = f"{a.updated_at.isoformat()}#{a.id}"
    elif a.submitted_at is not None or a.status in ("preregistered", "awaiting_confirmation"):
        item["inbox"] = a.department
        item["inbox_sk"] = f"{a.status}#{(a.submitted_at or a.updated_at).isoformat()}#{a.id}"
    return item


# Statuses in which an application waits for its department's staff (the staff inbox counts them).
WAITING_FOR_STAFF = ("received", "in_review")


def _counter_key(department: str) -> dict[str, str]:
    return {"pk": f"INBOX#{department}", "sk": "COUNT"}


def _waiting(a: Application | None) -> tuple[str, str] | None:
    return (a.department, a.status) if a is not None and a.status in WAITING_FOR_STAFF else None


def _app(item: dict[str, Any]) -> Application:
    data = {k: v for k, v in item.items() if k not in ("pk", "sk", "inbox", "inbox_sk")}
    data["answers"] = {k: plain(v) for k, v in data.get("answers", {}).items()}
    return Application.model_validate(data)


class DynamoApplicationStore(ApplicationStore):
    def __init__(self, table_name: str, outbox_table: str | None = None) -> None:
        self._table = dynamodb_table(table_name)
        self._client = self._table.meta.client
        self._name = table_name
        self._outbox = outbox_table  # where domain events go, in the change's transaction (None: none written)

    # --- writes ---------------------------------------------------------------------------------------------
    def _put(self, item: dict[str, Any], condition: str = "attribute_not_exists(pk)") -> dict[str, Any]:
        return {"Put": {"TableName": self._name, "Item": item, "ConditionExpression": condition}}

    def _audit_put(self, application_id: str, audit: AuditEntry) -> dict[str, Any]:
        item = audit.model_dump(mode="json", exclude_none=True)
        item.update(pk=_pk(application_id), sk=f"AUDIT#{audit.at.isoformat()}#{uuid.uuid4().hex[:8]}")
        return self._put(item, "attribute_not_exists(sk)")

    def _idempotency_put(self, key: str, application_id: str, at: datetime) -> dict[str, Any]:
        expires = int((at + timedelta(days=IDEMPOTENCY_DAYS)).timestamp())
        item = {"pk": f"IDEM#{key}", "sk": "IDEM", "application_id": application_id, "expires_at": expires}
        return self._put(item)

    def _transact(self, *items: dict[str, Any]) -> None:
        transact(self._client, list(items))

    def _counts(self, deltas: dict[tuple[str, str], int]) -> list[dict[str, Any]]:
        """One Update per department counter (a transaction may touch an item once), e.g. {(shimin, received): -1,
        (shimin, in_review): 1} -> ADD received -1, in_review 1 on INBOX#shimin."""
        by_department: dict[str, dict[str, int]] = {}
        for (department, field), delta in deltas.items():
            if delta:
                by_department.setdefault(department, {})[field] = delta
        updates = []
        for department, fields in sorted(by_department.items()):
            names = {f"#f{i}": field for i, field in enumerate(sorted(fields))}
            values = {f":d{i}": fields[field] for i, field in enumerate(sorted(fields))}
            expression = "ADD " + ", ".join(f"#f{i} :d{i}" for i in range(len(names)))
            updates.append(
                {
                    "Update": {
                        "TableName": self._name,
                        "Key": _counter_key(department),
                        "UpdateExpression": expression,
                        "ExpressionAttributeNames": names,
                        "ExpressionAttributeValues": values,
                    }
                }
            )
        return updates

    @staticmethod
    def _moved(before: Application | None, after: Application) -> dict[tuple[str, str], int]:
        deltas: dict[tuple[str, str], int] = {}
        old, new = _waiting(before), _waiting(after)
        if old != new:
            if old:
                deltas[old] = deltas.get(old, 0) - 1
            if new:
                deltas[new] = deltas.get(new, 0) + 1
        return deltas

    def create(self, application: Application, audit: AuditEntry, idempotency: str | None = None) -> None:
        items = [
            self._put(_app_item(application)),
            self._put({"pk": f"CODE#{application.code}", "sk": "CODE", "application_id": application.id}),
            self._audit_put(application.id, audit),
            *self._counts(self._moved(None, application)),
        ]
        if idempotency:
            items.append(self._idempotency_put(idempotency, application.id, application.created_at))
        self._transact(*items)

    def save(
        self,
        application: Application,
        audit: AuditEntry,
        *,
        expected_version: int,
        idempotency: str | None = None,
        verifications: list[Verification] | None = None,
        attachment_keys: list[str] | None = None,
        event: DomainEvent | None = None,
        payment_event: DomainEvent | None = None,
        effects: Sequence[Effect] = (),
    ) -> None:
        # before anything is read: an owed effect without the outbox table refuses the change (NoOutbox)
        owed = outbox_puts(self._outbox, [*(e for e in (event, payment_event) if e is not None), *effects])
        # The item replaced is the one read here: the Put below is conditional on its version.
        before = self._table.get_item(Key={"pk": _pk(application.id), "sk": APP}, ConsistentRead=True).get("Item")
        if before is None or int(before.get("version", -1)) != expected_version:
            raise Conflict()
        deltas = self._moved(_app(before), application)
        put = {
            "TableName": self._name,
            "Item": _app_item(application),
            "ConditionExpression": "#version = :expected",
            "ExpressionAttributeNames": {"#version": "version"},
            "ExpressionAttributeValues": {":expected": expected_version},
        }
        items: list[dict[str, Any]] = [{"Put": put}, self._audit_put(application.id, audit)]
        if idempotency:
            items.append(self._idempotency_put(idempotency, application.id, application.updated_at))
        for v in verifications or []:
            item = v.model_dump(mode="json", exclude_none=True)
            item.update(
                pk=_pk(application.id),
                sk=f"VERIFY#{v.id}",
                inbox=f"VERIFY#{v.department}",
                inbox_sk=f"{v.asked_at.isoformat()}#{v.id}",
            )
            items.append(self._put(item, "attribute_not_exists(sk)"))
            deltas[(v.department, "verify")] = deltas.get((v.department, "verify"), 0) + 1
        items.extend(self._counts(deltas))
        for attachment_id in attachment_keys or []:
            items.append(
                {
                    "ConditionCheck": {
                        "TableName": self._name,
                        "Key": {"pk": _pk(application.id), "sk": f"ATT#{attachment_id}"},
                        "ConditionExpression": "#status = :valid",
                        "ExpressionAttributeNames": {"#status": "status"},
                        "ExpressionAttributeValues": {":valid": "valid"},
                    }
                }
            )
        self._transact(*items, *owed)

    def add_attachment(self, application_id: str, attachment: Attachment) -> None:
        item = attachment.model_dump(mode="json", exclude_none=True)
        item.update(pk=_pk(application_id), sk=f"ATT#{attachment.id}")
        self._transact(self._put(item, "attribute_not_exists(sk)"))

    def mark_attachment(self, application_id: str, checked: Attachment) -> None:
        item = checked.model_dump(mode="json", exclude_none=True)
        item.update(pk=_pk(application_id), sk=f"ATT#{checked.id}")
        try:
            self._table.put_item(
                Item=item,
                ConditionExpression="#status = :pending",
                ExpressionAttributeNames={"#status": "status"},
                ExpressionAttributeValues={":pending": "pending"},
            )
        except ClientError as e:
            if e.response["Error"]["Code"] == "ConditionalCheckFailedException":
                raise Conflict() from e
            raise

    def answer_verification(self, application_id: str, answered: Verification, audit: AuditEntry) -> None:
        update = {
            "TableName": self._name,
            "Key": {"pk": _pk(application_id), "sk": f"VERIFY#{answered.id}"},
            "UpdateExpression": "SET #answer = :answer, answered_by = :by, answered_at = :at REMOVE inbox, inbox_sk",
            "ConditionExpression": "attribute_exists(sk) AND attribute_not_exists(#answer)",
            "ExpressionAttributeNames": {"#answer": "answer"},
            "ExpressionAttributeValues": {
                ":answer": answered.answer,
                ":by": answered.answered_by,
                ":at": answered.answered_at.isoformat() if answered.answered_at else None,
            },
        }
        decrement = self._counts({(answered.department, "verify"): -1})
        self._transact({"Update": update}, self._audit_put(application_id, audit), *decrement)

    def audit(self, application_id: str, audit: AuditEntry) -> None:
        self._transact(self._audit_put(application_id, audit))

    def put_visit(self, visit: Visit, idempotency: str | None = None) -> None:
        item = visit.model_dump(mode="json")
        item.update(pk=f"VISIT#{visit.id}", sk="VISIT", ttl_at=int(visit.expires_at.timestamp()))
        item["expires_at_iso"] = item.pop("expires_at")
        item["expires_at"] = item.pop("ttl_at")
        items = [self._put(item)]
        if idempotency:
            items.append(self._idempotency_put(idempotency, visit.id, visit.created_at))
        self._transact(*items)

    def put_resident(self, resident: Resident) -> None:
        item = resident.model_dump(mode="json", exclude_none=True)
        item.update(pk=f"RESIDENT#{resident.id}", sk="RESIDENT")
        self._table.put_item(Item=item)

    def delete_draft(self, application: Application, *, expected_version: int) -> None:
        delete_app = {
            "Delete": {
                "TableName": self._name,
                "Key": {"pk": _pk(application.id), "sk": APP},
                "ConditionExpression": "#version = :expected AND #status = :draft",
                "ExpressionAttributeNames": {"#version": "version", "#status": "status"},
                "ExpressionAttributeValues": {":expected": expected_version, ":draft": "draft"},
            }
        }
        delete_code = {"Delete": {"TableName": self._name, "Key": {"pk": f"CODE#{application.code}", "sk": "CODE"}}}
        self._transact(delete_app, delete_code)
        # The rest of the partition (attachments, audit entries): the draft is gone, so is what it held.
        rest = query_all(self._table, KeyConditionExpression=Key("pk").eq(_pk(application.id)))
        with self._table.batch_writer() as batch:
            for item in rest:
                batch.delete_item(Key={"pk": item["pk"], "sk": item["sk"]})

    # --- reads ----------------------------------------------------------------------------------------------
    def get(self, application_id: str) -> Application | None:
        item = self._table.get_item(Key={"pk": _pk(application_id), "sk": APP}).get("Item")
        return _app(item) if item else None

    def record(self, application_id: str) -> ApplicationRecord | None:
        items = query_all(self._table, KeyConditionExpression=Key("pk").eq(_pk(application_id)))
        app = next((i for i in items if i["sk"] == APP), None)
        if app is None:
            return None
        strip = ("pk", "sk", "inbox", "inbox_sk")
        clean = [{k: v for k, v in i.items() if k not in strip} | {"_kind": i["sk"].split("#", 1)[0]} for i in items]
        return ApplicationRecord(
            application=_app(app),
            attachments=[Attachment.model_validate(i) for i in clean if i["_kind"] == "ATT"],
            verifications=[Verification.model_validate(i) for i in clean if i["_kind"] == "VERIFY"],
            audit=[AuditEntry.model_validate(i) for i in clean if i["_kind"] == "AUDIT"],
        )

    def _pointer(self, pk: str, sk: str) -> str | None:
        item = self._table.get_item(Key={"pk": pk, "sk": sk}).get("Item")
        return str(item["application_id"]) if item else None

    def by_code(self, code: str) -> str | None:
        return self._pointer(f"CODE#{code}", "CODE")

    def by_idempotency(self, key: str) -> str | None:
        return self._pointer(f"IDEM#{key}", "IDEM")

    def _page(self, kwargs: dict[str, Any], limit: int, cursor: str | None) -> tuple[list[dict[str, Any]], str | None]:
        kwargs["Limit"] = limit
        start = decode_cursor(cursor)
        if start:
            kwargs["ExclusiveStartKey"] = start
        page = self._table.query(**kwargs)
        return page.get("Items", []), encode_cursor(page.get("LastEvaluatedKey"))

    def mine(self, owner: str, limit: int, cursor: str | None) -> tuple[list[Application], str | None]:
        kwargs = {"IndexName": "owner", "KeyConditionExpression": Key("owner").eq(owner), "ScanIndexForward": False}
        items, next_cursor = self._page(kwargs, limit, cursor)
        return [_app(i) for i in items], next_cursor

    def inbox(
        self, department: str, status: str | None, limit: int, cursor: str | None
    ) -> tuple[list[Application], str | None]:
        condition: Any = Key("inbox").eq(department)
        if status:
            condition = condition & Key("inbox_sk").begins_with(f"{status}#")
        items, next_cursor = self._page({"IndexName": "inbox", "KeyConditionExpression": condition}, limit, cursor)
        return [_app(i) for i in items], next_cursor

    def awaiting_payment(
        self, updated_before: datetime, limit: int, cursor: str | None = None
    ) -> tuple[list[Application], str | None]:
        condition = Key("inbox").eq(PAYMENT_INBOX) & Key("inbox_sk").lt(updated_before.isoformat())
        items, next_cursor = self._page({"IndexName": "inbox", "KeyConditionExpression": condition}, limit, cursor)
        return [_app(i) for i in items], next_cursor

    def attachment(self, application_id: str, attachment_id: str) -> Attachment | None:
        item = self._table.get_item(Key={"pk": _pk(application_id), "sk": f"ATT#{attachment_id}"}).get("Item")
        if not item:
            return None
        return Attachment.model_validate({k: v for k, v in item.items() if k not in ("pk", "sk")})

    def waiting_counts(self, department: str) -> dict[str, int]:
        item = self._table.get_item(Key=_counter_key(department)).get("Item") or {}
        return {field: max(0, int(item.get(field, 0))) for field in (*WAITING_FOR_STAFF, "verify")}

    def pending_verifications(
        self, department: str, limit: int, cursor: str | None
    ) -> tuple[list[tuple[str, Verification]], str | None]:
        kwargs = {"IndexName": "inbox", "KeyConditionExpression": Key("inbox").eq(f"VERIFY#{department}")}
        items, next_cursor = self._page(kwargs, limit, cursor)
        strip = ("pk", "sk", "inbox", "inbox_sk")
        return [
            (i["pk"].split("#", 1)[1], Verification.model_validate({k: v for k, v in i.items() if k not in strip}))
            for i in items
        ], next_cursor

    def visit(self, visit_id: str, now: datetime) -> Visit | None:
        item = self._table.get_item(Key={"pk": f"VISIT#{visit_id}", "sk": "VISIT"}).get("Item")
        if not item:
            return None
        visit = Visit.model_validate({**item, "expires_at": item["expires_at_iso"]})
        return visit if visit.expires_at > now else None

    def resident(self, resident_id: str) -> Resident | None:
        item = self._table.get_item(Key={"pk": f"RESIDENT#{resident_id}", "sk": "RESIDENT"}).get("Item")
        return Resident.model_validate({k: v for k, v in item.items() if k not in ("pk", "sk")}) if item else None

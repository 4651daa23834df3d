"""Cases and department tasks in DynamoDB. Cases: one partition per case (CASE#id) holding the case item
and its append-only entries.

| sk                       | item                                      |
|--------------------------|-------------------------------------------|
| CASE                     | the case; steps as a map by department     |
| AUDIT#<at>#<id>          | one audit entry (never updated)           |
| THREAD#<at>#<id>         | one thread message                        |
| MESSAGE#<id>             | marks the message's id as taken (a retry) |
| VERIFY#<id>              | one internal verification and its answer  |

A case's short code has its own partition, CASECODE#<code> / CODE -> the case id, written with the case.
An open verification is also copied into its department's partition, VERIFYQ#<department> /
<asked_at>#<case id>#<id>, and the department's counter INBOX#<department> / VERIFY (`open`) moves with it:
written with the ask and removed with the answer, in the same transaction (the staff inbox reads one item).

Each change is a transaction of the change and its audit entry: both are written or neither.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from boto3.dynamodb.conditions import Key

from madoguchi.cases.models import (
    AuditEntry,
    Case,
    CaseRecord,
    IdentityRecord,
    Task,
    TaskStatus,
    ThreadMessage,
    Verification,
)
from madoguchi.cases.store import CaseStore, TaskStore
from madoguchi.effects.models import outbox_puts
from madoguchi.shared.aws import dynamodb_table
from madoguchi.shared.dynamodb import decode_cursor, encode_cursor, query_all, transact
from madoguchi.shared.errors import Conflict
from madoguchi.shared.outbox import Outboxed

CASE = "CASE"


def _pk(case_id: str) -> str:
    return f"CASE#{case_id}"


def _code_pk(code: str) -> str:
    return f"CASECODE#{code}"


def _case_item(case: Case) -> dict[str, Any]:
    item = case.model_dump(mode="json", exclude={"steps"})
    item.update(
        pk=_pk(case.id),
        sk=CASE,
        steps={s.department: s.model_dump(mode="json") for s in case.steps},
        step_order=[s.department for s in case.steps],
    )
    return item


def _case(item: dict[str, Any]) -> Case:
    steps = [item["steps"][department] for department in item["step_order"]]
    return Case.model_validate({**item, "steps": steps})


class DynamoCaseStore(CaseStore):
    def __init__(self, table_name: str, outbox_table: str | None = None) -> None:
        self._table = dynamodb_table(table_name)
        self._client = self._table.meta.client  # resource client: takes Python values in transactions too
        self._name = table_name
        self._outbox = outbox_table  # domain events go here in the change's transaction (None: none written)

    def _outbox_puts(self, events: Sequence[Outboxed]) -> list[dict[str, Any]]:
        return outbox_puts(self._outbox, events)

    # --- writes ---------------------------------------------------------------------------------------------
    def _audit_put(self, case_id: str, audit: AuditEntry) -> dict[str, Any]:
        item = audit.model_dump(mode="json")
        item.update(pk=_pk(case_id), sk=f"AUDIT#{audit.at.isoformat()}#{uuid.uuid4().hex[:8]}")
        return {"Put": {"TableName": self._name, "Item": item, "ConditionExpression": "attribute_not_exists(sk)"}}

    def _case_exists(self, case_id: str) -> dict[str, Any]:
        """Files nothing under a case that does not exist (the transaction fails: Conflict)."""
        check = {"TableName": self._name, "Key": {"pk": _pk(case_id), "sk": CASE}}
        return {"ConditionCheck": {**check, "ConditionExpression": "attribute_exists(pk)"}}

    def _transact(self, *items: dict[str, Any]) -> None:
        transact(self._client, list(items))

    def create(self, case: Case, audit: AuditEntry, events: Sequence[Outboxed] = ()) -> None:
        new = "attribute_not_exists(pk)"
        items = [{"Put": {"TableName": self._name, "Item": _case_item(case), "ConditionExpression": new}}]
        if case.code:
            pointer = {"pk": _code_pk(case.code), "sk": "CODE", "case_id": case.id}
            items.append({"Put": {"TableName": self._name, "Item": pointer, "ConditionExpression": new}})
        self._transact(*items, self._audit_put(case.id, audit), *self._outbox_puts(events))

    def by_code(self, code: str) -> str | None:
        item = self._table.get_item(Key={"pk": _code_pk(code), "sk": "CODE"}).get("Item")
        return str(item["case_id"]) if item else None

    def record_identity(
        self, case_id: str, identity: IdentityRecord, audit: AuditEntry, events: Sequence[Outboxed] = ()
    ) -> None:
        update = {
            "TableName": self._name,
            "Key": {"pk": _pk(case_id), "sk": CASE},
            "UpdateExpression": "SET #identity = :identity, #status = :open",
            "ConditionExpression": "#status = :awaiting",
            "ExpressionAttributeNames": {"#status": "status", "#identity": "identity"},
            "ExpressionAttributeValues": {
                ":identity": identity.model_dump(mode="json"),
                ":open": "open",
                ":awaiting": "awaiting_identity",
            },
        }
        self._transact({"Update": update}, self._audit_put(case_id, audit), *self._outbox_puts(events))

    def workflow_started(self, case_id: str, audit: AuditEntry) -> None:
        update = {
            "TableName": self._name,
            "Key": {"pk": _pk(case_id), "sk": CASE},
            "UpdateExpression": "SET #started = :at",
            # a case item written with the field unset holds it as NULL
            "ConditionExpression": "attribute_exists(pk) AND "
            "(attribute_not_exists(#started) OR attribute_type(#started, :null))",
            "ExpressionAttributeNames": {"#started": "workflow_started_at"},
            "ExpressionAttributeValues": {":at": audit.at.isoformat(), ":null": "NULL"},
        }
        self._transact({"Update": update}, self._audit_put(case_id, audit))

    def update_step(self, case_id: str, department: str, changes: dict[str, Any], audit: AuditEntry) -> None:
        names = {"#steps": "steps", "#department": department}
        values: dict[str, Any] = {}
        sets = []
        for i, (field, value) in enumerate(changes.items()):
            names[f"#f{i}"] = field
            values[f":v{i}"] = value
            sets.append(f"#steps.#department.#f{i} = :v{i}")
        update = {
            "TableName": self._name,
            "Key": {"pk": _pk(case_id), "sk": CASE},
            "UpdateExpression": "SET " + ", ".join(sets),
            "ConditionExpression": "attribute_exists(#steps.#department)",
            "ExpressionAttributeNames": names,
            "ExpressionAttributeValues": values,
        }
        self._transact({"Update": update}, self._audit_put(case_id, audit))

    def close(self, case_id: str, audit: AuditEntry, events: Sequence[Outboxed] = ()) -> None:
        update = {
            "TableName": self._name,
            "Key": {"pk": _pk(case_id), "sk": CASE},
            "UpdateExpression": "SET #status = :closed, closed_at = :at",
            "ConditionExpression": "#status = :open",
            "ExpressionAttributeNames": {"#status": "status"},
            "ExpressionAttributeValues": {":closed": "closed", ":open": "open", ":at": audit.at.isoformat()},
        }
        self._transact({"Update": update}, self._audit_put(case_id, audit), *self._outbox_puts(events))

    def add_message(self, case_id: str, message: ThreadMessage, audit: AuditEntry) -> None:
        item = message.model_dump(mode="json")
        item.update(pk=_pk(case_id), sk=f"THREAD#{message.at.isoformat()}#{message.id}")
        put = {"TableName": self._name, "Item": item, "ConditionExpression": "attribute_not_exists(sk)"}
        # the thread's sort key holds the time, which a retry does not share: its id is taken once, here
        taken = {
            "TableName": self._name,
            "Item": {"pk": _pk(case_id), "sk": f"MESSAGE#{message.id}"},
            "ConditionExpression": "attribute_not_exists(sk)",
        }
        self._transact(self._case_exists(case_id), {"Put": put}, {"Put": taken}, self._audit_put(case_id, audit))

    def add_verification(self, case_id: str, verification: Verification, audit: AuditEntry) -> None:
        item = verification.model_dump(mode="json", exclude_none=True)
        item.update(pk=_pk(case_id), sk=f"VERIFY#{verification.id}")
        put = {"TableName": self._name, "Item": item, "ConditionExpression": "attribute_not_exists(sk)"}
        # the open question itself, under its department: the list is one Query (removed with the answer)
        pointer = {"TableName": self._name, "Item": {**item, **_queue_key(case_id, verification), "case_id": case_id}}
        self._transact(
            self._case_exists(case_id),
            {"Put": put},
            {"Put": pointer},
            self._open_count(verification.department, 1),
            self._audit_put(case_id, audit),
        )

    def _open_count(self, department: str, delta: int) -> dict[str, Any]:
        return {
            "Update": {
                "TableName": self._name,
                "Key": {"pk": f"INBOX#{department}", "sk": "VERIFY"},
                "UpdateExpression": "ADD #open :delta",
                "ExpressionAttributeNames": {"#open": "open"},
                "ExpressionAttributeValues": {":delta": delta},
            }
        }

    def answer_verification(self, case_id: str, answered: Verification, audit: AuditEntry) -> None:
        update = {
            "TableName": self._name,
            "Key": {"pk": _pk(case_id), "sk": f"VERIFY#{answered.id}"},
            "UpdateExpression": "SET #answer = :answer, answered_by = :by, answered_at = :at",
            "ConditionExpression": "attribute_exists(sk) AND attribute_not_exists(#answer)",
            "ExpressionAttributeNames": {"#answer": "answer"},
            "ExpressionAttributeValues": {
                ":answer": answered.answer,
                ":by": answered.answered_by,
                ":at": answered.answered_at.isoformat() if answered.answered_at else None,
            },
        }
        pointer = {"TableName": self._name, "Key": _queue_key(case_id, answered)}
        self._transact(
            {"Update": update},
            {"Delete": pointer},
            self._open_count(answered.department, -1),
            self._audit_put(case_id, audit),
        )

    def audit(self, case_id: str, audit: AuditEntry) -> None:
        self._transact(self._case_exists(case_id), self._audit_put(case_id, audit))

    # --- reads ----------------------------------------------------------------------------------------------
    def pending_verifications(
        self, department: str, limit: int, cursor: str | None = None
    ) -> tuple[list[tuple[str, Verification]], str | None]:
        kwargs: dict[str, Any] = {
            "KeyConditionExpression": Key("pk").eq(f"VERIFYQ#{department}"),
            "Limit": limit,
        }
        if cursor:
            kwargs["ExclusiveStartKey"] = decode_cursor(cursor)
        page = self._table.query(**kwargs)
        found = [
            (
                str(item["case_id"]),
                Verification.model_validate({k: v for k, v in item.items() if k not in ("pk", "sk", "case_id")}),
            )
            for item in page.get("Items", [])
        ]
        last = page.get("LastEvaluatedKey")
        return found, encode_cursor(last) if last else None

    def pending_verification_count(self, department: str) -> int:
        item = self._table.get_item(Key={"pk": f"INBOX#{department}", "sk": "VERIFY"}).get("Item") or {}
        return max(0, int(item.get("open", 0)))

    def get(self, case_id: str) -> Case | None:
        item = self._table.get_item(Key={"pk": _pk(case_id), "sk": CASE}).get("Item")
        return _case(item) if item else None

    def record(self, case_id: str) -> CaseRecord | None:
        items = query_all(self._table, KeyConditionExpression=Key("pk").eq(_pk(case_id)))
        case = next((i for i in items if i["sk"] == CASE), None)
        if case is None:
            return None
        by_kind: dict[str, list[dict[str, Any]]] = {"AUDIT": [], "THREAD": [], "VERIFY": []}
        for item in items:
            kind = item["sk"].split("#", 1)[0]
            if kind in by_kind:
                by_kind[kind].append(item)
        verifications = [Verification.model_validate(i) for i in by_kind["VERIFY"]]
        return CaseRecord(
            case=_case(case),
            timeline=[AuditEntry.model_validate(i) for i in by_kind["AUDIT"]],
            thread=[ThreadMessage.model_validate(i) for i in by_kind["THREAD"]],
            verifications=sorted(verifications, key=lambda v: v.asked_at),
        )


def _queue_key(case_id: str, verification: Verification) -> dict[str, str]:
    return {
        "pk": f"VERIFYQ#{verification.department}",
        "sk": f"{verification.asked_at.isoformat()}#{case_id}#{verification.id}",
    }


def _counter_key(department: str) -> dict[str, str]:
    return {"pk": f"INBOX#{department}", "sk": "COUNT"}


class DynamoTaskStore(TaskStore):
    """Tasks and, per department, a counter of its pending tasks (`INBOX#<dept>` / `COUNT`, `pending`) that
    every change to the inbox moves in the same transaction: the staff inbox reads one item, whatever the
    number of tasks."""

    def __init__(self, table_name: str, outbox_table: str | None = None) -> None:
        self._table = dynamodb_table(table_name)
        self._client = self._table.meta.client
        self._name = table_name
        self._outbox = outbox_table  # the answers decisions owe go here, in the decision's transaction

    def _count(self, department: str, delta: int) -> dict[str, Any]:
        return {
            "Update": {
                "TableName": self._name,
                "Key": _counter_key(department),
                "UpdateExpression": "ADD pending :delta",
                "ExpressionAttributeValues": {":delta": delta},
            }
        }

    def add(self, task: Task) -> None:
        item = task.model_dump(mode="json", exclude_none=True)
        item.update(pk=f"TASK#{task.id}", sk="TASK", inbox=task.department)
        put = {"TableName": self._name, "Item": item, "ConditionExpression": "attribute_not_exists(pk)"}
        try:
            transact(self._client, [{"Put": put}, self._count(task.department, 1)])
        except Conflict as e:
            raise Conflict(task_id=task.id) from e

    def pending_count(self, department: str) -> int:
        item = self._table.get_item(Key=_counter_key(department)).get("Item") or {}
        return max(0, int(item.get("pending", 0)))

    def get(self, task_id: str) -> Task | None:
        item = self._table.get_item(Key={"pk": f"TASK#{task_id}", "sk": "TASK"}).get("Item")
        return Task.model_validate(item) if item else None

    def pending_for(self, department: str, limit: int, cursor: str | None = None) -> tuple[list[Task], str | None]:
        kwargs: dict[str, Any] = {
            "IndexName": "inbox",
            "KeyConditionExpression": Key("inbox").eq(department),
            "Limit": limit,
        }
        start = decode_cursor(cursor)
        if start:
            kwargs["ExclusiveStartKey"] = start
        page = self._table.query(**kwargs)
        tasks = [Task.model_validate(item) for item in page.get("Items", [])]
        return tasks, encode_cursor(page.get("LastEvaluatedKey"))

    def decide(self, task_id: str, status: TaskStatus, by: str, at: datetime, events: Sequence[Outboxed] = ()) -> Task:
        task = self.get(task_id)
        if task is None or task.status != "pending":
            raise Conflict(task_id=task_id)
        update = {
            "TableName": self._name,
            "Key": {"pk": f"TASK#{task_id}", "sk": "TASK"},
            "UpdateExpression": "SET #status = :status, decided_by = :by, decided_at = :at REMOVE inbox",
            "ConditionExpression": "#status = :pending AND department = :department",
            "ExpressionAttributeNames": {"#status": "status"},
            "ExpressionAttributeValues": {
                ":status": status,
                ":by": by,
                ":at": at.isoformat(),
                ":pending": "pending",
                ":department": task.department,
            },
        }
        # one transaction across the tasks and outbox tables: the decision and the answer it owes, or neither
        owed = outbox_puts(self._outbox, events)
        try:
            transact(self._client, [{"Update": update}, self._count(task.department, -1), *owed])
        except Conflict as e:
            raise Conflict(task_id=task_id) from e
        return task.model_copy(update={"status": status, "decided_by": by, "decided_at": at})

"""DynamoDB adapters. Every call is a GetItem, Query or conditional write: no Scan on a request path."""

from __future__ import annotations

import base64
import json
from datetime import datetime
from typing import Any

from boto3.dynamodb.conditions import Key
from botocore.exceptions import ClientError

from madoguchi.aws import dynamodb_table
from madoguchi.errors import Conflict, InvalidInput
from madoguchi.ports.procedures import ProcedureStore
from madoguchi.ports.tasks import TaskStore
from madoguchi.procedures import Procedure
from madoguchi.tasks import Task, TaskStatus

PROCEDURE_PARTITION = "PROCEDURE"


def _query_all(table: Any, **kwargs: Any) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    while True:
        page = table.query(**kwargs)
        items.extend(page.get("Items", []))
        if "LastEvaluatedKey" not in page:
            return items
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


class DynamoProcedureStore(ProcedureStore):
    """All procedures share one partition (pk=PROCEDURE, sk=<id>): the catalogue is small and read whole."""

    def __init__(self, table_name: str) -> None:
        self._table = dynamodb_table(table_name)

    def list(self) -> list[Procedure]:
        items = _query_all(self._table, KeyConditionExpression=Key("pk").eq(PROCEDURE_PARTITION))
        return [Procedure.model_validate(item["data"]) for item in items]

    def get(self, procedure_id: str) -> Procedure | None:
        item = self._table.get_item(Key={"pk": PROCEDURE_PARTITION, "sk": procedure_id}).get("Item")
        return Procedure.model_validate(item["data"]) if item else None

    def put(self, procedure: Procedure) -> None:
        self._table.put_item(
            Item={"pk": PROCEDURE_PARTITION, "sk": procedure.id, "data": procedure.model_dump(mode="json")}
        )


class DynamoTaskStore(TaskStore):
    def __init__(self, table_name: str) -> None:
        self._table = dynamodb_table(table_name)

    def add(self, task: Task) -> None:
        item = task.model_dump(mode="json", exclude_none=True)
        item.update(pk=f"TASK#{task.id}", sk="TASK", inbox=task.department)
        try:
            self._table.put_item(Item=item, ConditionExpression="attribute_not_exists(pk)")
        except ClientError as e:
            if e.response["Error"]["Code"] == "ConditionalCheckFailedException":
                raise Conflict(task_id=task.id) from e
            raise

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

    def decide(self, task_id: str, status: TaskStatus, by: str, at: datetime) -> Task:
        try:
            item = self._table.update_item(
                Key={"pk": f"TASK#{task_id}", "sk": "TASK"},
                UpdateExpression="SET #status = :status, decided_by = :by, decided_at = :at REMOVE inbox",
                ConditionExpression="#status = :pending",
                ExpressionAttributeNames={"#status": "status"},
                ExpressionAttributeValues={":status": status, ":by": by, ":at": at.isoformat(), ":pending": "pending"},
                ReturnValues="ALL_NEW",
            )["Attributes"]
        except ClientError as e:
            if e.response["Error"]["Code"] == "ConditionalCheckFailedException":
                raise Conflict(task_id=task_id) from e
            raise
        return Task.model_validate(item)


def encode_cursor(key: dict[str, Any] | None) -> str | None:
    return base64.urlsafe_b64encode(json.dumps(key).encode()).decode() if key else None


def decode_cursor(cursor: str | None) -> dict[str, Any] | None:
    """A page cursor back into a key; a malformed one is bad input."""
    if not cursor:
        return None
    try:
        key = json.loads(base64.urlsafe_b64decode(cursor.encode()))
    except (ValueError, UnicodeDecodeError) as e:
        raise InvalidInput([(["query", "cursor"], "field_invalid")]) from e
    if not isinstance(key, dict) or not all(isinstance(v, str) for v in key.values()):
        raise InvalidInput([(["query", "cursor"], "field_invalid")])
    return key

"""DynamoDB adapters. Every call is a GetItem, Query or conditional write: no Scan on a request path."""

from __future__ import annotations

from typing import Any

from boto3.dynamodb.conditions import Key
from botocore.exceptions import ClientError

from madoguchi.aws import dynamodb_table
from madoguchi.errors import Conflict
from madoguchi.ports.procedures import ProcedureStore
from madoguchi.ports.tasks import TaskStore
from madoguchi.procedures import Procedure
from madoguchi.tasks import Task

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
        item = task.model_dump(mode="json")
        item["pk"] = f"TASK#{task.id}"
        item["sk"] = "TASK"
        try:
            self._table.put_item(Item=item, ConditionExpression="attribute_not_exists(pk)")
        except ClientError as e:
            if e.response["Error"]["Code"] == "ConditionalCheckFailedException":
                raise Conflict(task_id=task.id) from e
            raise

    def get(self, task_id: str) -> Task | None:
        item = self._table.get_item(Key={"pk": f"TASK#{task_id}", "sk": "TASK"}).get("Item")
        return Task.model_validate(item) if item else None

    def pending_for(self, department: str) -> list[Task]:
        items = _query_all(
            self._table,
            IndexName="by_department",
            KeyConditionExpression=Key("department").eq(department),
        )
        return [t for t in (Task.model_validate(i) for i in items) if t.status == "pending"]

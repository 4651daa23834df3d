"""The procedure catalogue in DynamoDB. Every call is a GetItem or Query: no Scan on a request path."""

from __future__ import annotations

from boto3.dynamodb.conditions import Key

from madoguchi.procedures.models import Procedure
from madoguchi.procedures.store import ProcedureStore
from madoguchi.shared.aws import dynamodb_table
from madoguchi.shared.dynamodb import query_all

PROCEDURE_PARTITION = "PROCEDURE"


class DynamoProcedureStore(ProcedureStore):
    """All procedures share one partition (pk=PROCEDURE, sk=<id>): the catalogue is small and read whole."""

    def __init__(self, table_name: str) -> None:
        self._table = dynamodb_table(table_name)

    def list(self) -> list[Procedure]:
        items = query_all(self._table, KeyConditionExpression=Key("pk").eq(PROCEDURE_PARTITION))
        return [Procedure.model_validate(item["data"]) for item in items]

    def get(self, procedure_id: str) -> Procedure | None:
        item = self._table.get_item(Key={"pk": PROCEDURE_PARTITION, "sk": procedure_id}).get("Item")
        return Procedure.model_validate(item["data"]) if item else None

    def put(self, procedure: Procedure) -> None:
        self._table.put_item(
            Item={"pk": PROCEDURE_PARTITION, "sk": procedure.id, "data": procedure.model_dump(mode="json")}
        )

"""LINE links in the messaging table. Access patterns (docs/data-model.md):
- a resident's link: GetItem / PutItem / DeleteItem pk=RESIDENT#<sub>, sk=LINE;
- an authorisation in progress: PutItem pk=STATE#<state>, sk=PENDING (TTL `expires_at`), taken once with a
  DeleteItem conditioned on its existence that returns the old item.
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from madoguchi.messaging.models import LineLink, PendingLink
from madoguchi.messaging.store import LineLinkStore
from madoguchi.shared.aws import dynamodb_table


def _link_key(resident: str) -> dict[str, str]:
    return {"pk": f"RESIDENT#{resident}", "sk": "LINE"}


def _pending_key(state: str) -> dict[str, str]:
    return {"pk": f"STATE#{state}", "sk": "PENDING"}


class DynamoLineLinkStore(LineLinkStore):
    def __init__(self, table_name: str) -> None:
        self._table = dynamodb_table(table_name)

    def put_pending(self, pending: PendingLink) -> None:
        item: dict[str, Any] = {
            **_pending_key(pending.state),
            "data": pending.model_dump(mode="json"),
            "expires_at": int(pending.expires_at.timestamp()),
        }
        self._table.put_item(Item=item, ConditionExpression="attribute_not_exists(pk)")

    def take_pending(self, state: str) -> PendingLink | None:
        try:
            old = self._table.delete_item(
                Key=_pending_key(state), ConditionExpression="attribute_exists(pk)", ReturnValues="ALL_OLD"
            ).get("Attributes")
        except ClientError as e:
            if e.response["Error"]["Code"] == "ConditionalCheckFailedException":
                return None
            raise
        return PendingLink.model_validate(old["data"]) if old else None

    def put_link(self, link: LineLink) -> None:
        self._table.put_item(Item={**_link_key(link.resident), "data": link.model_dump(mode="json")})

    def get_link(self, resident: str) -> LineLink | None:
        item = self._table.get_item(Key=_link_key(resident), ConsistentRead=True).get("Item")
        return LineLink.model_validate(item["data"]) if item else None

    def delete_link(self, resident: str) -> None:
        self._table.delete_item(Key=_link_key(resident))

"""DynamoDB helpers every adapter shares: one transaction call, paging through a query, page cursors, and
numbers back from DynamoDB's Decimal."""

from __future__ import annotations

import base64
import json
from decimal import Decimal
from typing import Any

from botocore.exceptions import ClientError

from madoguchi.shared.errors import Busy, Conflict, InvalidInput

# Why a transaction was cancelled that means "someone else changed it first": a condition did not hold, or
# another transaction held one of the items. Either is a 409 for the caller, never a 500.
CONFLICT_REASONS = frozenset({"ConditionalCheckFailed", "TransactionConflict"})
# DynamoDB answers these when it throttles; botocore's standard mode retries them (shared/aws.py), and past
# its bounded attempts the caller gets 503 service_busy with Retry-After (shared/api.py): nothing was written.
THROTTLING_CODES = frozenset({"ProvisionedThroughputExceededException", "ThrottlingException", "RequestLimitExceeded"})


def throttled(error: ClientError) -> bool:
    """Whether DynamoDB refused the call for throughput (a transaction says so per item: ThrottlingError)."""
    code = error.response.get("Error", {}).get("Code", "")
    return code in THROTTLING_CODES or (
        code == "TransactionCanceledException" and "ThrottlingError" in cancellation_reasons(error)
    )


def query_all(table: Any, **kwargs: Any) -> list[dict[str, Any]]:
    """Every item of a query, following LastEvaluatedKey (for partitions known to be small)."""
    items: list[dict[str, Any]] = []
    while True:
        page = table.query(**kwargs)
        items.extend(page.get("Items", []))
        if "LastEvaluatedKey" not in page:
            return items
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


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


def cancellation_reasons(error: ClientError) -> list[str]:
    """The per-item reason codes of a cancelled transaction ("None" for items that were fine)."""
    return [r.get("Code", "None") for r in error.response.get("CancellationReasons", [])]


def transact(client: Any, items: list[dict[str, Any]]) -> None:
    """All the writes or none; raises Conflict when a condition failed or another transaction got there first."""
    try:
        client.transact_write_items(TransactItems=items)
    except ClientError as e:
        if throttled(e):
            raise Busy() from e  # no item of a cancelled transaction was written
        if e.response["Error"]["Code"] == "TransactionCanceledException" and CONFLICT_REASONS & set(
            cancellation_reasons(e)
        ):
            raise Conflict() from e
        raise


def plain(value: Any) -> Any:
    """A value read from DynamoDB with its numbers as int (or float) instead of Decimal, at any depth."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value

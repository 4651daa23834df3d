"""The transactional outbox: a domain event written in the same DynamoDB transaction as the change it describes.

A context that changes state adds `outbox_put(...)` to the TransactWriteItems of that change, so the event exists
exactly when the change does (never one without the other). The outbox table's stream delivers each new item at
least once to its consumers (catalogue `streams`; DynamoDB Streams → Lambda in the cloud, infra/local/streams.py
locally), which count each event id once. Items expire after OUTBOX_DAYS (TTL): the stream keeps records 24 hours,
so the table never grows with history and writing an event costs one small Put whatever the volume.

| pk (event id)                          | attributes                                                      |
|----------------------------------------|-----------------------------------------------------------------|
| `<context>:<aggregate id>:<version>`   | `topic` (who consumes it), `event` (the event as JSON), `expires_at` |
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

OUTBOX_DAYS = 7
METRICS_TOPIC = "metrics"


def outbox_put(
    table_name: str, event_id: str, occurred_at: datetime, event: dict[str, Any], topic: str
) -> dict[str, Any]:
    """The TransactWriteItems entry that records `event`. Unconditional: the same event written again by a
    retried request is the same item (a MODIFY record, which consumers ignore), never a second event."""
    return {
        "Put": {
            "TableName": table_name,
            "Item": {
                "pk": event_id,
                "topic": topic,
                "event": json.dumps(event, ensure_ascii=False, separators=(",", ":")),
                "expires_at": int((occurred_at + timedelta(days=OUTBOX_DAYS)).timestamp()),
            },
        }
    }

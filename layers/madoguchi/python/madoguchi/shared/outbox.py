"""The transactional outbox: a domain event written in the same DynamoDB transaction as the change it describes.

A context that changes state adds `outbox_put(...)` to the TransactWriteItems of that change, so the event exists
exactly when the change does (never one without the other). The outbox table's stream delivers each new item at
least once to its consumers (catalogue `streams`; DynamoDB Streams → Lambda in the cloud, infra/local/streams.py
locally), which count each event id once. Items expire after OUTBOX_DAYS (TTL): the stream keeps records 24 hours,
so the table never grows with history and writing an event costs one small Put whatever the volume.

| pk (event id)                          | attributes                                                      |
|----------------------------------------|-----------------------------------------------------------------|
| `<context>:<aggregate id>:<version>`   | `topic` (who consumes it), `event` (the event as JSON), `expires_at` |
| `<context>:<aggregate id>:<what>`      | `topic` = effects, `event` (the effect), `attempts`, and while  |
|                                        | it is owed `queue` + `due_at` (the sparse index `pending`)      |
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any, Protocol

OUTBOX_DAYS = 7
METRICS_TOPIC = "metrics"
# Side effects owed after a change (madoguchi.effects): pending items carry `queue` = EFFECTS_QUEUE and `due_at`,
# the keys of the sparse index `pending` the scheduled redrive reads; done ones lose them and expire like events.
EFFECTS_TOPIC = "effects"
EFFECTS_QUEUE = "EFFECT"


class Outboxed(Protocol):
    """What a store writes into the outbox with a change: a domain event or an effect owed."""

    @property
    def id(self) -> str: ...

    def outbox_put(self, table_name: str) -> dict[str, Any]: ...


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

"""A side effect owed after a change: a refund, a workflow start, a task answer, a tag, a notice.

It is written in the same DynamoDB transaction as the change that owes it (the transactional outbox, madoguchi.shared
.outbox), so it exists exactly when the change does; a worker then carries it out with retries until it is done
(madoguchi.effects.service). Handlers are idempotent (Stripe idempotency keys, an execution's name, a task token
that answers once, a LINE retry key, a tag), so an effect run twice has the effect of one run.

The payload carries ids and amounts, never personal data: a handler reads what it needs (an e-mail address) from
the owner's record when it runs, so nothing personal sits in the outbox or its stream.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from madoguchi.shared.outbox import EFFECTS_QUEUE, EFFECTS_TOPIC, Outboxed

# The stream delivers a new effect within seconds; the scheduled redrive takes over only for effects still not
# done this long after they were written (or after their last failed try), so the two rarely run one at once.
FIRST_REDRIVE = timedelta(minutes=2)
# Tries before an effect is given up on (an alarm fires; the item stays, docs/operations.md): with the backoff
# below that is about two days of a provider being down.
MAX_ATTEMPTS = 50
MAX_BACKOFF = timedelta(hours=1)


class Effect(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(
        min_length=1,
        max_length=200,
        pattern=r"^[A-Za-z0-9_.:#-]+$",
        description="Stable for the change that owes it: `<context>:<aggregate id>:<what>`; written again, the same",
    )
    kind: str = Field(
        pattern=r"^[a-z_]+\.[a-z_]+$", description="`<context>.<action>`: the handler that carries it out"
    )
    payload: dict[str, Any] = Field(default_factory=dict, description="Ids and amounts only; no personal data")
    created_at: AwareDatetime

    def outbox_put(self, table_name: str) -> dict[str, Any]:
        """The TransactWriteItems entry that owes this effect: pending (in the sparse `pending` index) until done."""
        return {
            "Put": {
                "TableName": table_name,
                "Item": {
                    "pk": self.id,
                    "topic": EFFECTS_TOPIC,
                    "event": self.model_dump_json(),
                    "queue": EFFECTS_QUEUE,
                    "due_at": due_key(self.created_at + FIRST_REDRIVE, self.id),
                    "attempts": 0,
                },
            }
        }

    @staticmethod
    def from_json(text: str) -> Effect:
        return Effect.model_validate(json.loads(text))


class NoOutbox(RuntimeError):
    """A change owes an effect but its store was built without the outbox table (a deployment error): the change
    is refused rather than the effect dropped."""


def outbox_puts(table: str | None, items: Iterable[Outboxed]) -> list[dict[str, Any]]:
    """The outbox entries of a change's domain events and effects, for the change's own transaction. Without an
    outbox table events are not written (they only move figures), but an owed effect is never dropped: NoOutbox."""
    items = list(items)
    if table:
        return [item.outbox_put(table) for item in items]
    if any(isinstance(item, Effect) for item in items):
        raise NoOutbox()
    return []


def due_key(at: datetime, effect_id: str) -> str:
    """The `pending` index's sort key: when the effect is next due, then its id (unique, ordered by time)."""
    return f"{instant(at)}#{effect_id}"


def instant(at: datetime) -> str:
    """A fixed-width UTC time, so that keys compare as times do."""
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def backoff(attempts: int) -> timedelta:
    """How long after its `attempts`-th failed try an effect is tried again: 1, 2, 4 … minutes, at most an hour."""
    return min(timedelta(minutes=2 ** min(attempts - 1, 10)), MAX_BACKOFF)

"""The outbox worker on the local stack: an effect written into the outbox is delivered by the table's stream to
`outbox_effects` (as the event source mapping does in the cloud), and the worker's schedule takes every effect
still due from the sparse index `pending` — the same handler, the same code path as after `cdk deploy`.

A kind no handler knows stands in for a provider that keeps failing: each try is recorded on the effect and the
effect stays owed; the flows' own tests (refunds, workflows, tags, notices) show effects being done."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import boto3
import pytest

from infra import catalogue
from madoguchi.effects.models import Effect, due_key
from madoguchi.shared.clock import now


@pytest.fixture
def outbox(local_stack: Any) -> Any:
    return boto3.resource("dynamodb").Table(catalogue.table("outbox").local_name)


def owe(outbox: Any, kind: str) -> Effect:
    effect = Effect(id=f"test:{uuid.uuid4().hex}:x", kind=kind, payload={}, created_at=now())
    outbox.put_item(Item=effect.outbox_put(outbox.name)["Put"]["Item"])
    return effect


def test_a_new_effect_is_tried_from_the_stream_and_again_by_the_schedule_until_given_up(
    local_stack: Any, outbox: Any
) -> None:
    effect = owe(outbox, "nobody.handles")
    local_stack.streams.drain()
    item = outbox.get_item(Key={"pk": effect.id})["Item"]
    assert item["attempts"] == 1 and item["last_error"] == "UnknownEffect" and item["queue"] == "EFFECT"
    assert item["due_at"] > due_key(now(), effect.id)  # not due again before its backoff

    outbox.update_item(  # its backoff has passed
        Key={"pk": effect.id},
        UpdateExpression="SET due_at = :due, attempts = :n",
        ExpressionAttributeValues={":due": due_key(now() - timedelta(seconds=1), effect.id), ":n": 49},
    )
    counts = local_stack.run_scheduled("outbox_effects")
    assert counts["given_up"] >= 1
    item = outbox.get_item(Key={"pk": effect.id})["Item"]
    assert item["attempts"] == 50 and "queue" not in item and "due_at" not in item and "given_up_at" in item
    assert "expires_at" not in item  # kept for an operator, never expired

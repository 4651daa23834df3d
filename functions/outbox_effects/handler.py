"""The outbox's effects worker: carries out the side effects a change owes (refunds, workflow starts and task
answers, attachment tags, notices), written in the change's own transaction (madoguchi.effects).

Two triggers, one code path: the outbox table's stream delivers each new effect within seconds (a DynamoDB
Streams batch), and every minute the schedule (EventBridge) takes every effect still due from the sparse index
`pending` — those whose try failed (due again after a backoff) and those the stream could not deliver. A failed
try is recorded on the effect, not reported to the stream: one provider being down never holds back the other
effects of a batch, nor the metrics consumer. Nothing of an effect is logged but its id and kind.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import (
    DynamoDBRecord,
    DynamoDBRecordEventName,
)
from aws_lambda_powertools.utilities.typing import LambdaContext

from madoguchi.effects import service
from madoguchi.effects.models import Effect
from madoguchi.shared.clock import now
from madoguchi.shared.outbox import EFFECTS_TOPIC
from madoguchi.shared.public_origin import site_origin
from madoguchi.wiring import effect_handlers, effect_queue

logger = Logger()
metrics = Metrics()
processor = BatchProcessor(event_type=EventType.DynamoDBStreams)
invocation: LambdaContext | None = None  # the running invocation, for the time it has left


def time_left() -> float:
    return invocation.get_remaining_time_in_millis() / 1000 if invocation is not None else float("inf")


@cache
def handlers() -> dict[str, service.Handler]:
    """Built once per container: every record and every redrive of it uses the same adapters."""
    return effect_handlers(site_origin)


METRIC_NAMES = {"done": "EffectsDone", "retry": "EffectsRetried", "given_up": "EffectsGivenUp"}


def deliver(record: DynamoDBRecord) -> None:
    if record.event_name != DynamoDBRecordEventName.INSERT or record.dynamodb is None:
        return
    image = record.dynamodb.new_image
    if image.get("topic") != EFFECTS_TOPIC:
        return
    effect = Effect.from_json(str(image["event"]))
    outcome = service.delivered(effect, handlers(), effect_queue(), now(), time_left)
    if name := METRIC_NAMES.get(outcome):
        metrics.add_metric(name=name, unit="Count", value=1)


@logger.inject_lambda_context
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> Any:
    global invocation
    invocation = context
    if "Records" in event:
        return process_partial_response(event=event, record_handler=deliver, processor=processor, context=context)
    counts = service.redrive(handlers(), effect_queue(), now(), time_left=time_left)  # schedule
    for outcome, name in METRIC_NAMES.items():
        metrics.add_metric(name=name, unit="Count", value=counts[outcome])
    logger.info("Effects redriven", extra=counts)
    return counts

"""The outbox's stream consumer (DynamoDB Streams → Lambda): every new domain event for the metrics topic is
folded into the counters once (docs/metrics.md, "Domain events and the aggregator").

Not behind the API. A failed record is reported (ReportBatchItemFailures) and retried from there with the records
after it; the aggregator counts each event id once, so a retried or redelivered record never counts twice. A batch
still failing after the event source's retries goes to the on-failure queue (catalogue `streams`). Nothing of an
event is logged but its id.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import (
    DynamoDBRecord,
    DynamoDBRecordEventName,
)
from aws_lambda_powertools.utilities.typing import LambdaContext

from madoguchi.metrics import service
from madoguchi.metrics.models import DomainEvent
from madoguchi.shared.outbox import METRICS_TOPIC
from madoguchi.wiring import metrics_store

logger = Logger()
metrics = Metrics()
processor = BatchProcessor(event_type=EventType.DynamoDBStreams)


def count(record: DynamoDBRecord) -> None:
    # New items only: a TTL expiry (REMOVE) or an event written again (MODIFY) is no new event.
    if record.event_name != DynamoDBRecordEventName.INSERT or record.dynamodb is None:
        return
    image = record.dynamodb.new_image
    if image.get("topic") != METRICS_TOPIC:
        return
    event = DomainEvent.model_validate_json(str(image["event"]))
    counted = service.record([event], metrics_store())
    metrics.add_metric(name="EventsCounted" if counted else "EventsRedelivered", unit="Count", value=1)
    logger.info("event folded", extra={"event_id": event.id, "new": bool(counted)})


@logger.inject_lambda_context
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    return process_partial_response(event=event, record_handler=count, processor=processor, context=context)

"""Payment webhooks processed exactly once: Powertools idempotency on DynamoDB, keyed on the event id.

A duplicated or replayed (but validly signed, within tolerance) delivery of an event already processed returns
the stored outcome without doing anything again; a delivery while the first is still in progress is refused
(the caller answers 409 and Stripe retries later)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict
from functools import lru_cache
from typing import Any

from pydantic import BaseModel, Field

from madoguchi.payments.store import PaymentEvent
from madoguchi.shared.settings import settings

EVENT_RECORD_DAYS = 30  # Stripe retries a webhook for up to three days; keep records well beyond that


class WebhookAck(BaseModel):
    received: bool = True
    event_id: str
    outcome: str = Field(description="What the event changed: confirmed, expired, unchanged, ignored …")


@lru_cache(maxsize=1)
def _once() -> tuple[Callable[..., dict[str, Any]], Any]:
    import boto3
    from aws_lambda_powertools.utilities.idempotency import (
        DynamoDBPersistenceLayer,
        IdempotencyConfig,
        idempotent_function,
    )

    # A client of the default session, like every other adapter's (same configuration, same botocore hooks).
    persistence = DynamoDBPersistenceLayer(
        table_name=settings().idempotency_table, boto3_client=boto3.client("dynamodb")
    )
    config = IdempotencyConfig(event_key_jmespath="id", expires_after_seconds=EVENT_RECORD_DAYS * 24 * 3600)

    @idempotent_function(data_keyword_argument="event", persistence_store=persistence, config=config)
    def run(*, event: dict[str, Any], handler: Callable[[PaymentEvent], str]) -> dict[str, Any]:
        return {"outcome": handler(PaymentEvent(**event))}

    return run, config


class InProgress(Exception):
    """The same event is being processed by another delivery right now."""


def process_once(event: PaymentEvent, handler: Callable[[PaymentEvent], str], context: Any = None) -> WebhookAck:
    from aws_lambda_powertools.utilities.idempotency.exceptions import IdempotencyAlreadyInProgressError

    run, config = _once()
    if context is not None:
        config.register_lambda_context(context)
    try:
        result = run(event=asdict(event), handler=handler)
    except IdempotencyAlreadyInProgressError as e:
        raise InProgress() from e
    return WebhookAck(event_id=event.id, outcome=str(result["outcome"]))

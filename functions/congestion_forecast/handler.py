"""Nightly (EventBridge, 02:00 Asia/Tokyo): learn from the ticket history and write the congestion calendar of
this month and the next two."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from madoguchi.queue.calendar import nightly
from madoguchi.queue.models import TOKYO
from madoguchi.shared.clock import now
from madoguchi.wiring import queue_store

logger = Logger()
metrics = Metrics()


@logger.inject_lambda_context
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    at = datetime.fromisoformat(str(event["time"]).replace("Z", "+00:00")) if event.get("time") else now()
    result = nightly(queue_store(), at.astimezone(TOKYO).date())
    rows = sum(result["rows"].values())
    metrics.add_metric(name="ForecastRowsLearned", unit=MetricUnit.Count, value=rows)
    logger.info("Congestion calendar written", extra={"months": result["months"], "rows": rows})
    return {"months": result["months"], "rows": rows, "effects": result["effects"]}

"""S3 object-created events on the attachments bucket (uploads/ only): check each upload and mark it.

Not behind the API. The event carries only bucket and key (URL-encoded); nothing of the file is logged.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.utilities.data_classes import S3Event, event_source
from aws_lambda_powertools.utilities.typing import LambdaContext

from madoguchi.applications.attachments_check import check_upload  # decodes the URL-encoded key once
from madoguchi.shared.clock import now
from madoguchi.shared.settings import settings
from madoguchi.wiring import application_store, attachments

logger = Logger()
metrics = Metrics()


@logger.inject_lambda_context
@metrics.log_metrics
@event_source(data_class=S3Event)
def lambda_handler(event: S3Event, context: LambdaContext) -> dict[str, Any]:
    results = []
    for record in event.records:
        if record.s3.bucket.name != settings().attachments_bucket:
            continue
        outcome = check_upload(application_store(), attachments(), record["s3"]["object"]["key"], now())
        metrics.add_metric(name=f"Attachment{outcome.status.title()}", unit="Count", value=1)
        logger.info("attachment checked", extra={"status": outcome.status, "reason": outcome.reason})
        results.append({"key": outcome.key, "status": outcome.status, "reason": outcome.reason})
    return {"checked": results}

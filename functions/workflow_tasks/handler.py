"""Invoked by a workflow's waitForTaskToken step: registers the human step and keeps its token server-side."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext

from madoguchi.adapters.dynamodb import DynamoTaskStore
from madoguchi.logic.tasks import register_task
from madoguchi.settings import settings
from madoguchi.tasks import RegisterTask

logger = Logger()


@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, str]:
    request = RegisterTask.model_validate(event)
    task = register_task(
        request, DynamoTaskStore(settings().tasks_table), datetime.now(UTC), settings().task_ttl_days
    )
    logger.info("Task registered", extra={"task_id": task.id, "step": task.step, "department": task.department})
    return {"taskId": task.id}

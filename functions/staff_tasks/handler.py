"""GET /staff/tasks: the calling staff member's department inbox (staff only; task tokens never leave)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from madoguchi.adapters.dynamodb import DynamoTaskStore
from madoguchi.api import SECURITY, SIGNED_IN, current_caller, make_resolver
from madoguchi.logic import tasks
from madoguchi.settings import settings
from madoguchi.tasks import TaskList

logger = Logger()
metrics = Metrics()
app = make_resolver()


def store() -> DynamoTaskStore:
    return DynamoTaskStore(settings().tasks_table)


@app.get(
    "/staff/tasks",
    summary="Department inbox",
    tags=["staff"],
    security=SECURITY,
    responses={**SIGNED_IN, 200: {"description": "Pending tasks, oldest first"}},
)
def inbox() -> TaskList:
    return tasks.inbox(current_caller(app), store())


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)

"""Called by workflows (never by the API):
- {"action": "wait", token, execution, department, kind, case_id}: register the human step (token kept
  server-side) for the department's inbox; the smoke workflow sends the same without an action;
- {"action": "escalate", case_id, department}: the step waited past its timeout; tell the department's lead;
- {"action": "close", case_id}: every step is done; close the case.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from madoguchi.cases import service as cases
from madoguchi.cases import tasks
from madoguchi.cases.models import RegisterTask
from madoguchi.shared import clock
from madoguchi.shared.settings import settings
from madoguchi.wiring import case_store, task_store

logger = Logger()
metrics = Metrics()


def deps() -> tasks.TaskDeps:
    return tasks.TaskDeps(tasks=task_store(), cases=case_store())


@logger.inject_lambda_context
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    now = clock.now()
    action = event.get("action", "wait")
    if action == "wait":
        request = RegisterTask.model_validate(event)
        task = tasks.register_task(request, deps(), now, ttl_days=settings().task_ttl_days)
        logger.info("Task registered", extra={"task_id": task.id, "kind": task.kind, "department": task.department})
        return {"taskId": task.id}
    if action == "escalate":
        case_id, department = str(event["case_id"]), str(event["department"])
        count = tasks.escalate(case_id, department, deps(), now)
        # The lead is told through the StepEscalated alarm of this department (observability stack).
        metrics.add_dimension(name="department", value=department)
        metrics.add_metric(name="StepEscalated", unit=MetricUnit.Count, value=1)
        logger.warning("Step escalated", extra={"case_id": case_id, "department": department, "count": count})
        return {"escalations": count}
    if action == "close":
        case = cases.close_case(str(event["case_id"]), deps().case_deps, now)
        metrics.add_metric(name="CaseClosed", unit=MetricUnit.Count, value=1)
        return {"caseId": case.id, "status": case.status}
    raise ValueError(f"unknown action {action!r}")

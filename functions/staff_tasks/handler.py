"""Department inbox and decisions, staff only: GET /staff/inbox (the department's waiting work counted: the
landing page and every staff page), GET /staff/tasks and GET /staff/case-verifications (own department), POST
/staff/tasks/{taskId}/approve and /return (staff of the task's department; 409 once decided). Task tokens
never leave the server."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from madoguchi.cases import service as cases
from madoguchi.cases import tasks
from madoguchi.cases.models import Approve, PendingVerificationList, Return, TaskList, TaskView
from madoguchi.shared.api import (
    CONFLICT,
    NOT_FOUND,
    SECURITY,
    SIGNED_IN,
    current_caller,
    make_resolver,
    request_lang,
)
from madoguchi.shared.clock import now
from madoguchi.wiring import application_store, case_store, task_store
from madoguchi.workspace import service as workspace
from madoguchi.workspace.models import StaffInbox

logger = Logger()
metrics = Metrics()
app = make_resolver()

# The decision owes its workflow the answer (outbox): the worker sends it, so Step Functions being down is no 503.
DECISION = {**SIGNED_IN, **NOT_FOUND, **CONFLICT}


def deps() -> tasks.TaskDeps:
    return tasks.TaskDeps(tasks=task_store(), cases=case_store())


@app.get(
    "/staff/inbox",
    summary="The department's waiting work, counted",
    tags=["staff"],
    security=SECURITY,
    responses={**SIGNED_IN, 200: {"description": "Applications, case steps and verifications waiting"}},
)
def waiting_work(lang: str | None = None) -> StaffInbox:
    deps = workspace.WorkspaceDeps(applications=application_store(), tasks=task_store(), cases=case_store())
    return workspace.inbox(current_caller(app), deps, lang=request_lang(app))


@app.get(
    "/staff/case-verifications",
    summary="Verifications of one-stop cases waiting for the department's answer (counted by /staff/inbox)",
    tags=["staff"],
    security=SECURITY,
    responses={**SIGNED_IN, 200: {"description": "Open verifications asked of the department, oldest first"}},
)
def case_verifications(cursor: str | None = None) -> PendingVerificationList:
    return cases.pending_verifications(cursor, current_caller(app), cases.CaseDeps(store=case_store()))


@app.get(
    "/staff/tasks",
    summary="Department inbox",
    tags=["staff"],
    security=SECURITY,
    responses={**SIGNED_IN, 200: {"description": "Pending tasks, oldest first"}},
)
def inbox(cursor: str | None = None) -> TaskList:
    return tasks.inbox(cursor, current_caller(app), deps())


@app.post(
    "/staff/tasks/<taskId>/approve",
    summary="Approve a step (or record that the missing item arrived)",
    tags=["staff"],
    security=SECURITY,
    responses={**DECISION, 200: {"description": "The decided task"}},
)
def approve(taskId: str, body: Approve) -> TaskView:
    decided = tasks.approve(taskId, body, current_caller(app), deps(), now())
    metrics.add_metric(name="StepApproved", unit="Count", value=1)
    return decided


@app.post(
    "/staff/tasks/<taskId>/return",
    summary="Return a step: the resident must bring or correct something",
    tags=["staff"],
    security=SECURITY,
    responses={**DECISION, 200: {"description": "The decided task"}},
)
def give_back(taskId: str, body: Return) -> TaskView:
    decided = tasks.give_back(taskId, body, current_caller(app), deps(), now())
    metrics.add_metric(name="StepReturned", unit="Count", value=1)
    return decided


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)

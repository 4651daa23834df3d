"""The calls to Step Functions that cases owe, carried out by the outbox worker (madoguchi.effects): starting an
opened case's workflow, and answering a waiting step with a staff decision.

Both are idempotent: an execution is named after its case (a second start is ExecutionAlreadyExists), and a task
token answers once (a second answer is InvalidToken). A handler raises while Step Functions does not take the
call (the effect is due again after a backoff) and returns once it is done or pointless. Only ids and error
classes are logged.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from datetime import datetime

from aws_lambda_powertools import Logger

from madoguchi.cases import service as cases
from madoguchi.cases import tasks
from madoguchi.cases.service import ANSWER_TASK, START_WORKFLOW, CaseDeps
from madoguchi.cases.store import CaseStore, TaskStore
from madoguchi.cases.workflows import Workflows
from madoguchi.effects.models import Effect
from madoguchi.effects.service import Handler
from madoguchi.shared.errors import Conflict

logger = Logger(child=True)


def handlers(
    store: CaseStore,
    task_store: TaskStore,
    workflows: Workflows,
    *,
    step_timeout: int,
    clock: Callable[[], datetime],
) -> dict[str, Handler]:
    def start_workflow(effect: Effect) -> None:
        case_id = str(effect.payload["case_id"])
        case = store.get(case_id)
        if case is None or case.status != "open":  # unknown, or closed already: nothing to start
            logger.warning("Workflow start moot", extra={"effect": effect.id, "case_id": case_id})
            return
        with contextlib.suppress(Conflict):  # ExecutionAlreadyExists: an earlier run started it
            workflows.start(case.event, case.id, cases.workflow_input(case, step_timeout))
        cases.workflow_started(case.id, CaseDeps(store), clock())

    def answer_task(effect: Effect) -> None:
        task_id = str(effect.payload["task_id"])
        task = task_store.get(task_id)
        if task is None:  # expired from the table long after its workflow moved on
            logger.warning("Task answer moot", extra={"effect": effect.id, "task_id": task_id})
            return
        try:
            if effect.payload["decision"] == "returned":
                # The reason stays in our store: moto drops a failure's cause, and the audit has it.
                workflows.fail(task.token, tasks.RETURNED_ERROR, "returned")
            else:
                workflows.succeed(task.token, {"decision": "approved", "by": task.decided_by})
        except Conflict:
            # The token no longer waits (timed out, or answered by an earlier run): the step escalated or moved on.
            logger.warning("Task answer moot", extra={"effect": effect.id, "task_id": task_id})

    return {START_WORKFLOW: start_workflow, ANSWER_TASK: answer_task}

"""Step Functions adapter of the Workflows port."""

from __future__ import annotations

import json
import threading
from functools import lru_cache
from typing import Any

import boto3
from botocore.exceptions import BotoCoreError, ClientError
from botocore.parsers import ResponseParserError

from madoguchi.cases.workflows import Workflows, WorkflowUnavailable
from madoguchi.shared.aws import provider_config
from madoguchi.shared.errors import Conflict

_lock = threading.Lock()
NO_LONGER_WAITING = {"TaskTimedOut", "InvalidToken", "TaskDoesNotExist"}


@lru_cache(maxsize=1)
def _client() -> Any:
    with _lock:
        return boto3.client("stepfunctions", config=provider_config())


class StepFunctionsWorkflows(Workflows):
    def __init__(self, state_machines: dict[str, str]) -> None:
        self._arns = state_machines  # workflow key -> state machine ARN

    def start(self, workflow: str, name: str, payload: dict[str, Any]) -> str:
        try:
            response = _client().start_execution(
                stateMachineArn=self._arns[workflow], name=name, input=json.dumps(payload)
            )
        except ClientError as e:
            if e.response["Error"]["Code"] == "ExecutionAlreadyExists":
                raise Conflict(execution=name) from e
            raise WorkflowUnavailable() from e
        except (BotoCoreError, ResponseParserError) as e:  # time-out after the SDK's retries, or garbage
            raise WorkflowUnavailable() from e
        if not response.get("executionArn"):  # an answer without the execution: nothing we can rely on
            raise WorkflowUnavailable()
        return str(response["executionArn"])

    def _answer(self, call: str, **kwargs: Any) -> None:
        try:
            getattr(_client(), call)(**kwargs)
        except ClientError as e:
            if e.response["Error"]["Code"] in NO_LONGER_WAITING:
                raise Conflict() from e
            raise WorkflowUnavailable() from e
        except (BotoCoreError, ResponseParserError) as e:
            raise WorkflowUnavailable() from e

    def succeed(self, token: str, output: dict[str, Any]) -> None:
        self._answer("send_task_success", taskToken=token, output=json.dumps(output))

    def fail(self, token: str, error: str, cause: str) -> None:
        self._answer("send_task_failure", taskToken=token, error=error, cause=cause)

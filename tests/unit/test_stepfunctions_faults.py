"""The Step Functions adapter against botocore's Stubber (issue 13, flaw 8): a failed StartExecution or
SendTaskSuccess is WorkflowUnavailable (the outbox worker tries the effect again: cases.effects), a dead token is
Conflict, and a retried start of the same case is not a second execution."""

import json

import boto3
import pytest
from botocore.stub import Stubber

from madoguchi.cases import stepfunctions
from madoguchi.cases.stepfunctions import StepFunctionsWorkflows
from madoguchi.cases.workflows import WorkflowUnavailable
from madoguchi.shared.errors import Conflict

ARN = "arn:aws:states:ap-northeast-1:123456789012:stateMachine:bereavement"


@pytest.fixture
def stub(monkeypatch):
    client = boto3.client(
        "stepfunctions", region_name="ap-northeast-1", aws_access_key_id="x", aws_secret_access_key="x"
    )
    monkeypatch.setattr(stepfunctions, "_client", lambda: client)
    with Stubber(client) as stubber:
        yield stubber
        stubber.assert_no_pending_responses()


def test_a_start_step_functions_refuses_is_unavailable_and_the_retry_starts_it(stub):
    workflows = StepFunctionsWorkflows({"bereavement": ARN})
    expected = {"stateMachineArn": ARN, "name": "c-1", "input": json.dumps({"case_id": "c-1"})}
    stub.add_client_error("start_execution", "ServiceUnavailable", http_status_code=503, expected_params=expected)
    stub.add_response("start_execution", {"executionArn": f"{ARN}:c-1", "startDate": "2030-01-01T00:00:00Z"}, expected)
    stub.add_client_error("start_execution", "ExecutionAlreadyExists", http_status_code=400, expected_params=expected)
    with pytest.raises(WorkflowUnavailable):
        workflows.start("bereavement", "c-1", {"case_id": "c-1"})
    assert workflows.start("bereavement", "c-1", {"case_id": "c-1"}) == f"{ARN}:c-1"
    with pytest.raises(Conflict):  # a second start of the same case is refused by its name
        workflows.start("bereavement", "c-1", {"case_id": "c-1"})


def test_an_answer_step_functions_refuses_is_unavailable_and_a_dead_token_is_conflict(stub):
    workflows = StepFunctionsWorkflows({})
    expected = {"taskToken": "tok", "output": json.dumps({"decision": "approved"})}
    stub.add_client_error("send_task_success", "ThrottlingException", http_status_code=400, expected_params=expected)
    stub.add_client_error("send_task_success", "TaskTimedOut", http_status_code=400, expected_params=expected)
    stub.add_response("send_task_success", {}, expected)
    with pytest.raises(WorkflowUnavailable):
        workflows.succeed("tok", {"decision": "approved"})
    with pytest.raises(Conflict):
        workflows.succeed("tok", {"decision": "approved"})
    workflows.succeed("tok", {"decision": "approved"})

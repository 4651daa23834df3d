"""A state machine from its .asl.json runs on the emulated Step Functions, waits on a human step and
completes after SendTaskSuccess: the in-process Lambda dispatch the one-stop cases rely on."""

import json
import time
import uuid

import boto3
import requests

from infra import catalogue


def start(local_stack):
    sfn = boto3.client("stepfunctions")
    arn = sfn.start_execution(
        stateMachineArn=local_stack.state_machines["smoke"],
        name=f"smoke-{uuid.uuid4().hex}",
        input=json.dumps({"department": "shimin"}),
    )["executionArn"]
    return sfn, arn


def wait_for_task(stack_url, headers, execution_arn, timeout=20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        tasks = requests.get(f"{stack_url}/staff/tasks", headers=headers, timeout=10).json()["tasks"]
        mine = [t for t in tasks if t["execution"] == execution_arn]
        if mine:
            return mine[0]
        time.sleep(0.1)
    raise AssertionError("the workflow never registered its task")


def wait_for_status(sfn, arn, timeout=20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        described = sfn.describe_execution(executionArn=arn)
        if described["status"] != "RUNNING":
            return described
        time.sleep(0.1)
    raise AssertionError("the execution did not finish")


def stored_token(task_id):
    table = boto3.resource("dynamodb").Table(catalogue.table("tasks").local_name)
    return table.get_item(Key={"pk": f"TASK#{task_id}", "sk": "TASK"})["Item"]["token"]


def test_workflow_waits_for_staff_and_completes_after_task_success(local_stack, stack_url, auth_header):
    # Given a running smoke workflow
    sfn, arn = start(local_stack)
    # When its step reaches the department inbox
    task = wait_for_task(stack_url, auth_header("staff-shimin"), arn)
    # Then the token is not in what staff see, the execution waits, and another department sees nothing
    assert "token" not in task
    assert sfn.describe_execution(executionArn=arn)["status"] == "RUNNING"
    other = requests.get(f"{stack_url}/staff/tasks", headers=auth_header("staff-zei"), timeout=10).json()
    assert all(t["execution"] != arn for t in other["tasks"])
    # And when the back end sends the stored token's success, the execution succeeds
    sfn.send_task_success(taskToken=stored_token(task["id"]), output=json.dumps({"approvedBy": "staff-shimin"}))
    done = wait_for_status(sfn, arn)
    assert done["status"] == "SUCCEEDED"
    assert json.loads(done["output"])["decision"] == {"approvedBy": "staff-shimin"}


def test_a_returned_step_fails_the_smoke_workflow_through_its_catch(local_stack, stack_url, auth_header):
    sfn, arn = start(local_stack)
    task = wait_for_task(stack_url, auth_header("staff-shimin"), arn)
    sfn.send_task_failure(taskToken=stored_token(task["id"]), error="Returned", cause="missing document")
    done = wait_for_status(sfn, arn)
    assert done["status"] == "FAILED"
    assert done["error"] == "Smoke.Returned"

"""Staff console sign-in through the local token endpoint."""

import json
import uuid

import boto3
import pytest
from boto3.dynamodb.conditions import Key
from playwright.sync_api import Page, expect

from infra import catalogue

pytestmark = pytest.mark.browser


def test_staff_member_signs_in_and_sees_who_they_are(page: Page, stack_url: str):
    # Given the staff console with local sign-in
    page.goto(stack_url + "/staff/?lang=en")

    # When staff-shimin signs in
    page.get_by_label("User").select_option("staff-shimin")
    page.get_by_role("button", name="Sign in").click()

    # Then the console shows the signed-in identity, kept for the browser session
    expect(page.get_by_text("Signed in as staff-shimin")).to_be_visible()
    expect(page.locator(".identity")).to_contain_text("shimin")
    page.reload()
    expect(page.get_by_text("Signed in as staff-shimin")).to_be_visible()

    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()


def test_a_waiting_workflow_step_appears_in_the_department_inbox(
    page: Page, stack_url: str, local_stack, axe_violations
):
    # Given a workflow waiting on a 市民課 step
    execution = boto3.client("stepfunctions").start_execution(
        stateMachineArn=local_stack.state_machines["smoke"],
        name=f"inbox-{uuid.uuid4().hex}",
        input=json.dumps({"department": "shimin"}),
    )["executionArn"]

    # When 市民課 staff sign in to the console
    page.goto(stack_url + "/staff/?lang=en")
    page.get_by_label("User").select_option("staff-shimin")
    page.get_by_role("button", name="Sign in").click()

    # Then the inbox lists the step, the page stays accessible, and no token reaches the browser
    inbox = page.get_by_role("region", name="Inbox")
    expect(inbox.get_by_role("table")).to_contain_text("smoke")
    assert axe_violations() == ""
    stored = boto3.resource("dynamodb").Table(catalogue.table("tasks").local_name)
    tasks = inbox.get_by_role("row")
    assert tasks.count() >= 2
    task_tokens = [
        item["token"]
        for item in stored.query(IndexName="inbox", KeyConditionExpression=Key("inbox").eq("shimin"))["Items"]
    ]
    html = page.content()
    assert not any(token in html for token in task_tokens)
    boto3.client("stepfunctions").stop_execution(executionArn=execution)


def test_residents_are_told_the_inbox_is_for_staff(page: Page, stack_url: str):
    page.goto(stack_url + "/staff/?lang=en")
    page.get_by_label("User").select_option("resident-1")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("Only staff can see waiting tasks.")).to_be_visible()

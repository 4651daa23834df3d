"""Staff console sign-in through the local OpenID Connect provider's page (password and TOTP code)."""

import json
import re
import uuid

import boto3
import pytest
from boto3.dynamodb.conditions import Key
from playwright.sync_api import Page, expect

from infra import catalogue

pytestmark = pytest.mark.browser


def test_staff_member_signs_in_and_sees_who_they_are(page: Page, stack_url: str, sign_in, sign_out):
    # Given the staff console
    page.goto(stack_url + "/staff/?lang=en")

    # When staff-shimin signs in (with the second factor) on the provider's page
    sign_in(page, "staff-shimin")

    # Then the header shows who they are and the workspace their department in words, kept for the browser
    # session; no sign-in panel stays on the page
    expect(page.locator("#site-user")).to_have_text("市民課 職員（Staff）")
    expect(page.get_by_role("navigation", name="Staff workspace")).to_contain_text("Department: Citizens Division")
    expect(page.locator("#signin-button")).to_have_count(0)
    assert "shimin" not in page.locator("main").inner_text()
    page.reload()
    expect(page.locator("#site-user")).to_have_text("市民課 職員（Staff）")

    # And after signing out the console offers sign-in again
    sign_out(page)
    page.goto(stack_url + "/staff/?lang=en")
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    expect(page.locator("#site-user")).to_be_empty()


def test_a_waiting_workflow_step_appears_in_the_department_inbox(
    page: Page,
    stack_url: str,
    local_stack,
    axe_violations,
    sign_in,
):
    # Given a workflow waiting on a 市民課 step
    execution = boto3.client("stepfunctions").start_execution(
        stateMachineArn=local_stack.state_machines["smoke"],
        name=f"inbox-{uuid.uuid4().hex}",
        input=json.dumps({"department": "shimin"}),
    )["executionArn"]

    # When 市民課 staff sign in to the console
    page.goto(stack_url + "/staff/?lang=en")
    sign_in(page, "staff-shimin")

    # Then the inbox lists the step, the page stays accessible, and no token reaches the browser
    inbox = page.get_by_role("region", name="Case steps waiting for your department")
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


def test_the_staff_console_signs_in_staff_only(page: Page, stack_url: str):
    # Residents are in another user pool: the staff console's sign-in page does not offer them
    page.goto(stack_url + "/staff/?lang=en")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/staff/oauth2/authorize"))
    expect(page.locator("#user-staff-shimin")).to_be_visible()
    expect(page.locator("#user-resident-1")).to_have_count(0)
    expect(page.get_by_label("Password")).to_be_visible()

"""State transitions per one-stop case: what a Standard workflow is billed by."""

from __future__ import annotations

from typing import Any

import boto3

from tests.bench.local import Api, in_process_stack

# had_kokuho -> hoken, owned_property -> shisan, was_taxpayer -> zei, had_children_allowance -> kodomo
FOUR_DEPARTMENTS = {"had_kokuho": True, "owned_property": True, "was_taxpayer": True, "had_children_allowance": True}
ONE_DEPARTMENT = {"had_kokuho": True}
USD_PER_1000_TRANSITIONS = 0.025  # Standard workflows, list price; the same in ap-northeast-1


def execution_arn(state_machine_arn: str, case_id: str) -> str:
    """The case's execution: the workflow starts it named after the case id."""
    return state_machine_arn.replace(":stateMachine:", ":execution:") + f":{case_id}"


def history_counts(sfn: Any, arn: str) -> dict[str, int]:
    """States entered (billed transitions) and all history events of one finished execution."""
    status = sfn.describe_execution(executionArn=arn)["status"]
    if status != "SUCCEEDED":
        raise RuntimeError(f"{arn} is {status}")
    events: list[dict[str, Any]] = []
    kwargs: dict[str, Any] = {"executionArn": arn, "maxResults": 1000}
    while True:
        page = sfn.get_execution_history(**kwargs)
        events += page["events"]
        if not page.get("nextToken"):
            break
        kwargs["nextToken"] = page["nextToken"]
    entered = sum(1 for e in events if e["type"].endswith("StateEntered"))
    return {"transitions": entered, "events": len(events)}


def approve_all(api: Api, case_id: str, departments: list[str]) -> None:
    for department in departments:
        user = f"staff-{department}"
        api.decide(user, api.pending_task(user, case_id), "approve")


def happy_path(api: Api, answers: dict[str, bool]) -> str:
    """A case whose every department approves at first review."""
    case_id = api.open_case(answers)
    departments = [s["department"] for s in api.call("GET", f"/cases/{case_id}", "staff-onestop")["steps"]]
    approve_all(api, case_id, departments)
    api.wait_until_closed(case_id)
    return case_id


def returned_path(api: Api) -> str:
    """The four-department case, but 保険年金課 returns once: the resident brings the item, then it approves."""
    case_id = api.open_case(FOUR_DEPARTMENTS)
    hoken = api.pending_task("staff-hoken", case_id)
    api.decide("staff-hoken", hoken, "return", {"reason": "国民健康保険証を持参してください"})
    api.decide("staff-hoken", api.pending_task("staff-hoken", case_id, kind="awaiting_resident"), "approve")
    api.decide("staff-hoken", api.pending_task("staff-hoken", case_id), "approve")
    approve_all(api, case_id, ["zei", "shisan", "kodomo"])
    api.wait_until_closed(case_id)
    return case_id


def state_transitions() -> dict[str, dict[str, float]]:
    """Transitions (StateEntered events) of real bereavement executions on the emulated Step Functions.

    Standard workflows are billed per state transition, so this is the workflow's cloud cost per case:
    a four-department case approved at once, a one-department case (the difference is the cost of a department)
    and the four-department case with one return.
    """
    with in_process_stack() as stack:
        api = Api(stack.url)
        sfn = boto3.client("stepfunctions")
        machine = stack.state_machines["bereavement"]
        cases = {
            "4 departments, approved": happy_path(api, FOUR_DEPARTMENTS),
            "1 department, approved": happy_path(api, ONE_DEPARTMENT),
            "4 departments, one return": returned_path(api),
        }
        results: dict[str, dict[str, float]] = {}
        for label, case_id in cases.items():
            counts = history_counts(sfn, execution_arn(machine, case_id))
            results[label] = {**counts, "usd_per_1000_cases": counts["transitions"] * USD_PER_1000_TRANSITIONS}
    return results

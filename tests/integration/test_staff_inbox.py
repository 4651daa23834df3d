"""Issue 16: one inbox. GET /staff/inbox counts the department's waiting work (applications received and in
review, one-stop case steps, verifications asked of it) as the lists the clerk works from show it, and moves
with every change; only staff see it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.integration.test_applications_flow import Api, jpeg_with_location

pytestmark = pytest.mark.xdist_group("applications")


@pytest.fixture
def api(stack_url: str, auth_header: Callable[[str], dict[str, str]]) -> Api:
    return Api(stack_url, auth_header)


def every_page(api: Api, path: str, user: str, key: str) -> list[Any]:
    seen: list[Any] = []
    cursor: str | None = None
    for _ in range(100):
        sep = "&" if "?" in path else "?"
        page = api.ok("GET", f"{path}{sep}cursor={cursor}" if cursor else path, user)
        seen += page[key]
        cursor = page.get("next")
        if not cursor:
            return seen
    raise AssertionError("too many pages")


def listed(api: Api, user: str) -> dict[str, int]:
    return {
        "applications_received": len(every_page(api, "/staff/applications?status=received", user, "applications")),
        "applications_in_review": len(every_page(api, "/staff/applications?status=in_review", user, "applications")),
        "case_tasks": len(every_page(api, "/staff/tasks", user, "tasks")),
        "verifications": len(api.ok("GET", "/staff/verifications", user)["verifications"]),
        "case_verifications": len(every_page(api, "/staff/case-verifications", user, "verifications")),
    }


def counted(api: Api, user: str, lang: str = "ja") -> dict[str, Any]:
    return api.ok("GET", f"/staff/inbox?lang={lang}", user)


def stable_pair(api: Api, user: str) -> tuple[dict[str, Any], dict[str, int]]:
    """The count and the lists read back to back; other tests may change the department's work in between, so
    read again until a count is the same before and after the lists."""
    for _ in range(5):
        before = counted(api, user)
        lists = listed(api, user)
        if counted(api, user) == before:
            return before, lists
    raise AssertionError("the department's work never stood still")


@pytest.mark.parametrize("user", ["staff-shimin", "staff-hoken", "staff-kodomo", "staff-zei"])
def test_the_count_is_the_sum_of_what_the_lists_show(api: Api, user: str) -> None:
    count, lists = stable_pair(api, user)
    assert {k: count[k] for k in lists} == lists
    assert count["total"] == sum(lists.values())


def test_the_count_moves_with_the_application_and_names_the_department(api: Api, local_stack: Any) -> None:
    # Given a resident's paid application for 市民課
    answers = {"subject": "self", "copies": 1, "purpose": "bank", "delivery": "pickup"}
    draft = api.ok("POST", "/applications", "resident-1", {"procedure": "juminhyo", "answers": answers})
    api.upload(draft["id"], "resident-1", jpeg_with_location(), kind="identity_document")
    waiting = api.ok("POST", f"/applications/{draft['id']}/submit", "resident-1", {})
    first = counted(api, "staff-shimin")
    session = waiting["payment_url"].rstrip("/").rsplit("/", 1)[-1]
    assert local_stack.stripe.pay(session, "4242424242424242")[0]
    assert api.ok("POST", f"/applications/{draft['id']}/payment", "resident-1")["status"] == "received"
    # Then it waits as received; in review it moves; decided it leaves
    received = counted(api, "staff-shimin")
    assert received["applications_received"] >= first["applications_received"] + 1
    api.ok("POST", f"/staff/applications/{draft['id']}/decision", "staff-shimin", {"decision": "start_review"})
    reviewing = counted(api, "staff-shimin")
    assert reviewing["applications_in_review"] >= 1
    ids = [a["id"] for a in every_page(api, "/staff/applications?status=in_review", "staff-shimin", "applications")]
    assert draft["id"] in ids
    api.ok("POST", f"/staff/applications/{draft['id']}/decision", "staff-shimin", {"decision": "approve"})
    ids = [a["id"] for a in every_page(api, "/staff/applications?status=in_review", "staff-shimin", "applications")]
    assert draft["id"] not in ids
    # The department is named in words, in the asked language
    assert counted(api, "staff-shimin", "en")["department_name"] == "Citizens Division"
    assert counted(api, "staff-shimin", "ja")["department_name"] == "市民課"


def test_a_case_verification_is_counted_and_listed_until_it_is_answered(
    api: Api, auth_header: Callable[[str], dict[str, str]], stack_url: str
) -> None:
    from tests.integration.test_cases_workflow import Api as CaseApi

    # Given a bereavement case in which 子ども未来課 asks 市民税課 to confirm the income
    case = CaseApi(stack_url, auth_header).open_case({"had_children_allowance": True})
    before = counted(api, "staff-zei")
    question = {"department": "zei", "question": "前年の所得は限度額未満ですか"}
    asked = api.ok("POST", f"/cases/{case['id']}/verifications", "staff-kodomo", question)
    # Then 市民税課's inbox counts it and its list shows it (with the case to open)
    waiting = counted(api, "staff-zei")
    assert waiting["case_verifications"] >= before["case_verifications"] + 1 and waiting["total"] > before["total"]
    listed_now = every_page(api, "/staff/case-verifications", "staff-zei", "verifications")
    assert {"case_id": case["id"], "id": asked["id"]} in [
        {"case_id": v["case_id"], "id": v["verification"]["id"]} for v in listed_now
    ]
    # When it is answered it leaves both
    api.ok("POST", f"/cases/{case['id']}/verifications/{asked['id']}/answer", "staff-zei", {"answer": "未満です"})
    listed_after = every_page(api, "/staff/case-verifications", "staff-zei", "verifications")
    assert asked["id"] not in [v["verification"]["id"] for v in listed_after]
    assert api.call("GET", "/staff/case-verifications", "resident-1").status_code == 403


def test_only_staff_see_a_department_inbox(api: Api) -> None:
    assert api.call("GET", "/staff/inbox", None).status_code == 401
    for user in ("resident-1", "kiosk-1"):
        refused = api.call("GET", "/staff/inbox?lang=en", user)
        assert refused.status_code == 403 and refused.json()["code"] == "forbidden"

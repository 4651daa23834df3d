"""The staff inbox service: one count per department, staff only, names in words."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from madoguchi.applications.models import Application, AuditEntry
from madoguchi.cases.models import AuditEntry as CaseAudit
from madoguchi.cases.models import Case, Task, Verification
from madoguchi.shared.auth import Caller, Role
from madoguchi.shared.errors import Forbidden, Unauthorized
from madoguchi.workspace import service as workspace
from tests.fakes.applications import MemoryApplicationStore
from tests.fakes.cases import MemoryCaseStore, MemoryTaskStore

NOW = datetime(2030, 5, 1, 1, 0, tzinfo=UTC)


def deps() -> workspace.WorkspaceDeps:
    apps, tasks = MemoryApplicationStore(), MemoryTaskStore()
    for n, (status, department) in enumerate(
        [
            ("received", "shimin"),
            ("received", "shimin"),
            ("in_review", "shimin"),
            ("draft", "shimin"),
            ("received", "kodomo"),
        ]
    ):
        application = Application.model_validate(
            {
                "id": f"a-{n}",
                "code": f"C{n}",
                "procedure": "juminhyo",
                "department": department,
                "channel": "online",
                "status": status,
                "created_at": NOW,
                "updated_at": NOW,
            }
        )
        apps.create(application, AuditEntry(at=NOW, actor="x", role="resident", action="created"))
    for n, department in enumerate(["shimin", "hoken"]):
        tasks.add(
            Task(
                id=f"t-{n}",
                department=department,
                step="case",
                execution="e",
                token="tok",
                created_at=NOW,
                expires_at=0,
            )
        )
    cases = MemoryCaseStore()
    case = Case.model_validate(
        {"id": "c-1", "event": "bereavement", "status": "open", "opened_by": "x", "opened_at": NOW, "steps": []}
    )
    audit = CaseAudit(at=NOW, actor="x", action="opened")
    cases.create(case, audit)
    for n, department in enumerate(["shimin", "shimin", "hoken"]):
        asked = Verification(
            id=f"v-{n}", asked_by="x", asked_department="onestop", department=department, question="?", asked_at=NOW
        )
        cases.add_verification("c-1", asked, audit)
    answered = asked.model_copy(update={"id": "v-0", "department": "shimin", "answer": "ok", "answered_at": NOW})
    cases.answer_verification("c-1", answered, audit)  # answered: no longer waiting
    return workspace.WorkspaceDeps(applications=apps, tasks=tasks, cases=cases)


def test_the_total_is_the_sum_of_the_departments_waiting_work() -> None:
    clerk = Caller(sub="staff-shimin", role=Role.STAFF, department="shimin")
    inbox = workspace.inbox(clerk, deps(), lang="en")
    assert (inbox.applications_received, inbox.applications_in_review, inbox.case_tasks, inbox.verifications) == (
        2,
        1,
        1,
        0,
    )
    assert inbox.case_verifications == 1  # v-1 (v-0 answered, v-2 asked of 保険年金課)
    assert inbox.total == 5 and inbox.department_name == "Citizens Division"
    assert workspace.inbox(clerk, deps(), lang="vi").department_name == "Phòng Công dân"


def test_staff_without_a_department_have_nothing_waiting_and_others_are_refused() -> None:
    nobody = workspace.inbox(Caller(sub="s", role=Role.STAFF), deps(), lang="ja")
    assert nobody.total == 0 and nobody.department_name is None
    with pytest.raises(Unauthorized):
        workspace.inbox(None, deps(), lang="ja")
    with pytest.raises(Forbidden):
        workspace.inbox(Caller(sub="resident-1", role=Role.RESIDENT), deps(), lang="ja")

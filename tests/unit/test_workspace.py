"""The staff inbox service: one count per department, staff only, names in words."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from madoguchi.applications.models import Application, AuditEntry
from madoguchi.cases.models import Task
from madoguchi.shared.auth import Caller, Role
from madoguchi.shared.errors import Forbidden, Unauthorized
from madoguchi.workspace import service as workspace
from tests.fakes.applications import MemoryApplicationStore
from tests.fakes.cases import MemoryTaskStore

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
    return workspace.WorkspaceDeps(applications=apps, tasks=tasks)


def test_the_total_is_the_sum_of_the_departments_waiting_work() -> None:
    clerk = Caller(sub="staff-shimin", role=Role.STAFF, department="shimin")
    inbox = workspace.inbox(clerk, deps(), lang="en")
    assert (inbox.applications_received, inbox.applications_in_review, inbox.case_tasks, inbox.verifications) == (
        2,
        1,
        1,
        0,
    )
    assert inbox.total == 4 and inbox.department_name == "Citizens Division"
    assert workspace.inbox(clerk, deps(), lang="vi").department_name == "Phòng Công dân"


def test_staff_without_a_department_have_nothing_waiting_and_others_are_refused() -> None:
    nobody = workspace.inbox(Caller(sub="s", role=Role.STAFF), deps(), lang="ja")
    assert nobody.total == 0 and nobody.department_name is None
    with pytest.raises(Unauthorized):
        workspace.inbox(None, deps(), lang="ja")
    with pytest.raises(Forbidden):
        workspace.inbox(Caller(sub="resident-1", role=Role.RESIDENT), deps(), lang="ja")

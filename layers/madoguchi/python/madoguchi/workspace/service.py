"""One count of the department's waiting work, read the same way by the landing page and every staff page.

Each count is one counter item kept by the store that owns the work (moved in the same transaction as the
change), so the cost of a request is three GetItems whatever the number of applications or tasks."""

from __future__ import annotations

from dataclasses import dataclass

from madoguchi.applications.store import ApplicationStore
from madoguchi.cases.store import CaseStore, TaskStore
from madoguchi.shared.auth import Caller, Role, require
from madoguchi.shared.departments import DEPARTMENTS
from madoguchi.shared.i18n import Lang, pick
from madoguchi.workspace.models import StaffInbox


@dataclass(frozen=True)
class WorkspaceDeps:
    applications: ApplicationStore
    tasks: TaskStore
    cases: CaseStore


def department_name(department: str | None, lang: Lang) -> str | None:
    names = DEPARTMENTS.get(department or "")
    return pick(names, lang) if names else None


def inbox(caller: Caller | None, deps: WorkspaceDeps, *, lang: Lang) -> StaffInbox:
    staff = require(caller, Role.STAFF)
    department = staff.department
    names = {key: pick(text, lang) for key, text in DEPARTMENTS.items()}
    if not department:
        return StaffInbox(
            department=None,
            department_name=None,
            department_names=names,
            applications_received=0,
            applications_in_review=0,
            case_tasks=0,
            verifications=0,
            case_verifications=0,
            total=0,
        )
    counts = deps.applications.waiting_counts(department)
    tasks = deps.tasks.pending_count(department)
    asked = deps.cases.pending_verification_count(department)
    return StaffInbox(
        department=department,
        department_name=department_name(department, lang),
        department_names=names,
        applications_received=counts["received"],
        applications_in_review=counts["in_review"],
        case_tasks=tasks,
        verifications=counts["verify"],
        case_verifications=asked,
        total=counts["received"] + counts["in_review"] + tasks + counts["verify"] + asked,
    )

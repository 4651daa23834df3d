"""What the staff landing page and the navigation of every staff page show of the department's waiting work."""

from __future__ import annotations

from pydantic import BaseModel, Field


class StaffInbox(BaseModel):
    department: str | None = Field(description="The clerk's department id (for links and filters, not shown)")
    department_name: str | None = Field(description="The department's name in the asked language")
    department_names: dict[str, str] = Field(
        description="Every department's name in the asked language, by id (pages show names, never ids)"
    )
    applications_received: int = Field(description="Applications received and not yet in review")
    applications_in_review: int = Field(description="Applications in review")
    case_tasks: int = Field(description="Steps of one-stop cases waiting in the department's inbox")
    verifications: int = Field(description="Open internal verifications of applications asked of the department")
    case_verifications: int = Field(
        description="Open verifications of one-stop cases asked of the department (GET /staff/case-verifications)"
    )
    total: int = Field(description="The sum of the five counts above: everything waiting for the department")

"""One-stop life-event cases (ワンストップ窓口): one case, every department's part, the resident at one counter."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field, StrictBool, StrictStr

from madoguchi.cases.life_events import EventId

IdentityMethod = Literal["my_number_card", "driving_licence", "passport", "residence_card", "other"]
# Stored statuses; "needs_resident" is derived for the view from the steps.
CaseStatus = Literal["awaiting_identity", "open", "closed"]
ViewStatus = Literal["awaiting_identity", "open", "needs_resident", "closed"]
StepStatus = Literal["pending", "waiting", "escalated", "needs_resident", "approved"]
ONESTOP = "onestop"
# Counters that receive residents, check identity and open cases: the one-stop counter at city hall and the
# district citizens' centres (地区市民センター), which ask departments remotely on the case's thread.
FRONT_COUNTERS = frozenset({ONESTOP, "chiku"})

Text = str  # free text typed by staff: bounded, never logged


class IdentityInput(BaseModel):
    method: IdentityMethod
    note: Text = Field(default="", max_length=200)


# How the person filing the case is related to its subject ("self": they are the person moving).
Relationship = Literal["self", "spouse", "child", "parent", "sibling", "grandchild", "other_relative", "other"]
CASE_CODE_PATTERN = r"^[0-9A-Z]{8}$"


class CaseSubject(BaseModel):
    """Whose case it is and who files it: what lets a clerk tell cases apart and call the family back.
    Personal data: stored with the case, shown to the departments involved, never logged."""

    person_name: Text = Field(min_length=1, max_length=100, description="The deceased, or the person moving")
    event_date: date = Field(description="Date of death, or date of moving")
    applicant_name: Text = Field(min_length=1, max_length=100, description="Who files the case")
    relationship: Relationship = Field(description="The applicant's relationship to the person")
    phone: str = Field(pattern=r"^\+?[0-9][0-9-]{8,16}$", description="A number the city can call back")
    email: str | None = Field(default=None, max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class OpenCase(BaseModel):
    event: EventId
    subject: CaseSubject
    # Strict: a JSON 1 is not a yes.
    answers: dict[str, StrictBool | StrictStr] = Field(default_factory=dict, description="Answers to the questions")
    identity: IdentityInput | None = Field(default=None, description="Required from staff; residents leave it out")
    explained: list[Text] = Field(default_factory=list, max_length=30, description="What was explained (引継)")


class IdentityRecord(BaseModel):
    method: IdentityMethod
    note: Text = ""
    verified_by: str
    verified_at: datetime


class CaseStep(BaseModel):
    department: str
    procedures: list[str]
    status: StepStatus = "pending"
    task_id: str | None = None
    return_reason: Text | None = None
    escalations: int = 0


class Case(BaseModel):
    id: str
    event: EventId
    # Both missing only on cases opened before they were recorded.
    code: str | None = Field(default=None, description="Short code typed or scanned (QR) at the counter")
    subject: CaseSubject | None = None
    status: CaseStatus
    opened_by: str
    opened_at: datetime
    closed_at: datetime | None = None
    identity: IdentityRecord | None = None
    explained: list[Text] = Field(default_factory=list)
    answers: dict[str, bool | str] = Field(default_factory=dict)
    steps: list[CaseStep]
    # Set by the outbox worker once Step Functions has the case's execution (cases.effects); None while the
    # start is owed, and on cases opened before it was recorded.
    workflow_started_at: datetime | None = None

    def step(self, department: str) -> CaseStep | None:
        return next((s for s in self.steps if s.department == department), None)


class AuditEntry(BaseModel):
    """One line of the append-only trail: who did what to the case, and when."""

    at: datetime
    actor: str  # a user id, or "workflow"
    action: str
    department: str | None = None
    detail: Text = ""


class Message(BaseModel):
    to_department: str
    text: Text = Field(min_length=1, max_length=1000)


class ThreadMessage(BaseModel):
    id: str
    by: str
    department: str | None
    to_department: str
    text: Text
    at: datetime


class Ask(BaseModel):
    department: str
    question: Text = Field(min_length=1, max_length=500)


class Answer(BaseModel):
    answer: Text = Field(min_length=1, max_length=1000)


class Verification(BaseModel):
    """An internal check by another department, instead of a certificate from the resident (添付書類の省略)."""

    id: str
    asked_by: str
    asked_department: str | None
    department: str
    question: Text
    asked_at: datetime
    answer: Text | None = None
    answered_by: str | None = None
    answered_at: datetime | None = None


class PendingVerification(BaseModel):
    case_id: str
    verification: Verification


class PendingVerificationList(BaseModel):
    """Verifications of one-stop cases waiting for the department's answer, oldest first."""

    verifications: list[PendingVerification]
    next: str | None = Field(default=None, description="Cursor for the next page, if any")


class CaseRecord(BaseModel):
    """A case with everything filed under it."""

    case: Case
    timeline: list[AuditEntry] = Field(default_factory=list)
    thread: list[ThreadMessage] = Field(default_factory=list)
    verifications: list[Verification] = Field(default_factory=list)


# --- what the API answers, in the caller's language -------------------------------------------------------


class ProcedureGuide(BaseModel):
    id: str
    name: str
    check: list[str] = Field(description="What the clerk verifies")
    explain: list[str] = Field(description="What the clerk tells the resident")


class StepView(BaseModel):
    department: str
    department_name: str
    status: StepStatus
    task_id: str | None
    return_reason: str | None
    escalations: int
    procedures: list[ProcedureGuide]


class RemainingView(BaseModel):
    id: str
    name: str
    where: str


class CaseView(BaseModel):
    id: str
    code: str | None
    event: EventId
    event_name: str
    subject: CaseSubject | None
    status: ViewStatus
    workflow_starting: bool = Field(
        description="Open, but the outbox worker has not started its workflow yet: no department has it so far"
    )
    opened_by: str
    opened_at: datetime
    closed_at: datetime | None
    identity: IdentityRecord | None
    explained: list[str]
    answers: dict[str, bool | str]
    steps: list[StepView]
    remaining: list[RemainingView]
    thread: list[ThreadMessage]
    verifications: list[Verification]
    timeline: list[AuditEntry]


# --- what the resident who opened a case sees (never the staff's record) ------------------------------------

# An overdue step is the city's concern: the resident sees it as in progress.
ResidentStepStatus = Literal["pending", "waiting", "needs_resident", "approved"]


class ResidentProcedure(BaseModel):
    id: str
    name: str


class ResidentStepView(BaseModel):
    department: str
    department_name: str
    status: ResidentStepStatus
    return_reason: str | None = Field(description="What the resident must bring or correct for this step")
    procedures: list[ResidentProcedure]


class ResidentCaseView(BaseModel):
    """A case as the resident who pre-registered it sees it: what was done, what remains, where to go. No
    identity note, thread, verifications, timeline or staff ids."""

    id: str
    code: str | None = Field(description="The case number to show (or scan) at the counter")
    qr_svg: str | None = Field(description="The case number as a QR code (SVG)")
    event: EventId
    event_name: str
    subject: CaseSubject | None = Field(description="What the resident filed about whose case it is")
    status: ViewStatus
    opened_at: datetime
    closed_at: datetime | None
    counter: str = Field(description="Where to come (or come back to) with the case number")
    steps: list[ResidentStepView] = Field(description="Each department's part, in order")
    done: list[str] = Field(description="Procedures the departments have completed")
    remaining: list[RemainingView] = Field(description="What the resident does elsewhere, and where")


class QuestionChoice(BaseModel):
    value: str
    label: str


class QuestionView(BaseModel):
    id: str
    kind: Literal["yes_no", "choice"]
    text: str
    choices: list[QuestionChoice]


class LifeEventSummary(BaseModel):
    id: EventId
    name: str


class LifeEventList(BaseModel):
    events: list[LifeEventSummary]


class LifeEventView(LifeEventSummary):
    questions: list[QuestionView]


TaskStatus = Literal["pending", "approved", "returned", "expired"]


class CaseSummary(BaseModel):
    """What an inbox row needs to tell cases apart, copied onto the task so the inbox reads one item per row."""

    code: str | None = None
    event: EventId
    person_name: str | None = None
    event_date: date | None = None


TaskKind = Literal["review", "awaiting_resident"]


class Task(BaseModel):
    id: str
    department: str
    step: str
    execution: str
    token: str = Field(repr=False)  # never part of any response model
    kind: TaskKind = "review"
    case_id: str | None = None
    case_summary: CaseSummary | None = None
    attempt: int = 1
    status: TaskStatus = "pending"
    created_at: datetime
    decided_by: str | None = None
    decided_at: datetime | None = None
    expires_at: int = Field(description="Epoch seconds, for DynamoDB TTL")


class RegisterTask(BaseModel):
    """What a workflow's waitForTaskToken step passes to the registering function."""

    token: str = Field(min_length=1, repr=False)
    execution: str = Field(min_length=1)
    department: str = Field(min_length=1)
    step: str = "case"
    kind: TaskKind = "review"
    case_id: str | None = None


class TaskView(BaseModel):
    """A task as staff see it: everything but the token."""

    id: str
    department: str
    step: str
    kind: TaskKind
    case_id: str | None
    case_summary: CaseSummary | None
    attempt: int
    execution: str
    status: TaskStatus
    created_at: datetime
    decided_by: str | None
    decided_at: datetime | None


class TaskList(BaseModel):
    tasks: list[TaskView]
    next: str | None = Field(default=None, description="Cursor for the next page, if any")


class Approve(BaseModel):
    note: str = Field(default="", max_length=500)


class Return(BaseModel):
    reason: str = Field(min_length=1, max_length=500, description="What the resident must bring or correct")


def view(task: Task) -> TaskView:
    return TaskView.model_validate(task.model_dump(exclude={"token", "expires_at"}))

"""One-stop cases: opening, who may see them, the thread and internal verifications, and the workflow's calls."""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar

from madoguchi.cases import events as case_events
from madoguchi.cases.life_events import EVENT_IDS, InvalidAnswers, life_event, plan
from madoguchi.cases.models import (
    FRONT_COUNTERS,
    ONESTOP,
    Answer,
    Ask,
    AuditEntry,
    Case,
    CaseRecord,
    CaseStep,
    CaseSubject,
    CaseSummary,
    CaseView,
    IdentityInput,
    IdentityRecord,
    LifeEventList,
    LifeEventSummary,
    LifeEventView,
    Message,
    OpenCase,
    PendingVerification,
    PendingVerificationList,
    ProcedureGuide,
    QuestionChoice,
    QuestionView,
    RemainingView,
    ResidentCaseView,
    ResidentProcedure,
    ResidentStepView,
    StepView,
    ThreadMessage,
    Verification,
    ViewStatus,
)
from madoguchi.cases.store import CaseStore
from madoguchi.effects.models import Effect
from madoguchi.shared.auth import Caller, Role, require
from madoguchi.shared.departments import DEPARTMENTS
from madoguchi.shared.errors import Conflict, Forbidden, InvalidInput, NotFound
from madoguchi.shared.i18n import Lang, pick
from madoguchi.shared.outbox import Outboxed
from madoguchi.shared.retries import retry_id

Filed = TypeVar("Filed", ThreadMessage, Verification)

WORKFLOW_ACTOR = "workflow"
START_WORKFLOW = "cases.start_workflow"  # effect kinds (cases.effects)
ANSWER_TASK = "cases.answer_task"
VIEWED = "case_viewed"
FOUND_BY_CODE = "case_found_by_code"
# Letters and digits a person reads aloud without confusion (no 0/O, 1/I).
CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
# A case is filed within a year of its event; a move may be announced up to 60 days ahead (転出予定).
MAX_EVENT_AGE = timedelta(days=366)
MAX_MOVE_AHEAD = timedelta(days=60)


VERIFICATION_PAGE = 50


@dataclass(frozen=True)
class CaseDeps:
    store: CaseStore


def _new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))


def _staff_department(caller: Caller) -> str:
    if not caller.department:
        raise Forbidden()
    return caller.department


# --- life events (public: the same questions the guide asks) ---------------------------------------------------


def list_life_events(*, lang: Lang) -> LifeEventList:
    return LifeEventList(
        events=[LifeEventSummary(id=e.id, name=pick(e.name, lang)) for e in map(life_event, EVENT_IDS)]
    )


def describe_life_event(event_id: str, *, lang: Lang) -> LifeEventView:
    event = life_event(event_id)
    return LifeEventView(
        id=event.id,
        name=pick(event.name, lang),
        questions=[
            QuestionView(
                id=q.id,
                kind=q.kind,
                text=pick(q.text, lang),
                choices=[
                    QuestionChoice(value=c, label=pick(q.choice_labels.get(c, {"ja": c}), lang)) for c in q.choices
                ],
            )
            for q in event.questions
        ],
    )


# --- opening a case ---------------------------------------------------------------------------------------------


def open_case(
    request: OpenCase,
    caller: Caller | None,
    deps: CaseDeps,
    now: datetime,
    *,
    idempotency_key: str | None = None,
) -> Case:
    """Front-counter staff open a case and record identity at once; a resident's pre-registration awaits it.

    An open case owes the start of its workflow (effect `cases.start_workflow`, written with the case): the outbox
    worker starts it, retrying until Step Functions takes it. A retry with the same Idempotency-Key returns the
    first request's case and owes nothing more (the execution is named after the case anyway).
    """
    who = require(caller, Role.STAFF, Role.RESIDENT)
    if who.role is Role.STAFF and who.department not in FRONT_COUNTERS:
        raise Forbidden()
    if who.role is Role.STAFF and request.identity is None:
        raise InvalidInput([(["body", "identity"], "field_missing")])
    if who.role is Role.RESIDENT and request.identity is not None:
        raise InvalidInput([(["body", "identity"], "not_allowed_for_residents")])
    try:
        planned = plan(life_event(request.event), request.answers)
    except InvalidAnswers as e:
        raise InvalidInput([(["body", "answers", question], problem) for question, problem in e.fields]) from e
    if not planned.steps:
        raise InvalidInput([(["body", "answers"], "nothing_applies")])
    _check_subject(request.event, request.subject, now)
    identity = _identity(request.identity, who, now) if request.identity else None
    case = Case(
        id=retry_id("c", who.sub, idempotency_key),
        code=_new_code(),
        subject=request.subject,
        event=request.event,
        status="open" if identity else "awaiting_identity",
        opened_by=who.sub,
        opened_at=now,
        identity=identity,
        explained=[line.strip() for line in request.explained if line.strip()],
        answers=request.answers,
        steps=[CaseStep(department=s.department, procedures=[p.id for p in s.procedures]) for s in planned.steps],
    )
    try:
        opened: list[Outboxed] = []
        if case.status == "open":
            opened = [case_events.received(case, now), start_workflow(case.id, now)]
        audit = AuditEntry(at=now, actor=who.sub, action="case_opened", department=who.department)
        deps.store.create(case, audit, opened)
    except Conflict:
        if idempotency_key is None:
            raise
        case = _existing(deps.store, case.id)  # the first request's case (its id holds this caller's key)
    return case


def _check_subject(event: str, subject: CaseSubject, now: datetime) -> None:
    """Dates a clerk would refuse at the counter: a death in the future, an event over a year old, a move more
    than 60 days ahead; nobody files their own bereavement."""
    today = now.date()
    field: list[str | int] = ["body", "subject", "event_date"]
    if subject.event_date < today - MAX_EVENT_AGE:
        raise InvalidInput([(field, "date_too_old")])
    latest = today + MAX_MOVE_AHEAD if event == "moving_in" else today
    if subject.event_date > latest:
        raise InvalidInput([(field, "date_in_future")])
    if event == "bereavement" and subject.relationship == "self":
        raise InvalidInput([(["body", "subject", "relationship"], "field_invalid")])


def find_by_code(code: str, caller: Caller | None, deps: CaseDeps, now: datetime) -> str:
    """The case a resident's code (typed, or scanned from their QR) stands for, for the front counters that
    receive residents. Unknown codes are 404; the lookup is audited on the case."""
    staff = require(caller, Role.STAFF)
    if staff.department not in FRONT_COUNTERS:
        raise Forbidden()
    case_id = deps.store.by_code(code.strip().upper())
    if case_id is None:
        raise NotFound(code=code)
    deps.store.audit(case_id, AuditEntry(at=now, actor=staff.sub, action=FOUND_BY_CODE, department=staff.department))
    return case_id


def summary(case: Case) -> CaseSummary:
    subject = case.subject
    return CaseSummary(
        code=case.code,
        event=case.event,
        person_name=subject.person_name if subject else None,
        event_date=subject.event_date if subject else None,
    )


def _identity(request: IdentityInput, staff: Caller, now: datetime) -> IdentityRecord:
    return IdentityRecord(method=request.method, note=request.note, verified_by=staff.sub, verified_at=now)


def record_identity(case_id: str, request: IdentityInput, caller: Caller | None, deps: CaseDeps, now: datetime) -> Case:
    """Front-counter staff verify the identity of a pre-registered case once; every department sees it, none asks.
    The case opens and owes the start of its workflow in the same transaction."""
    staff = require(caller, Role.STAFF)
    if staff.department not in FRONT_COUNTERS:
        raise Forbidden()
    case = _existing(deps.store, case_id)  # 404 before the conditional write's 409
    audit = AuditEntry(
        at=now, actor=staff.sub, action="identity_verified", department=staff.department, detail=request.method
    )
    owed: list[Outboxed] = [case_events.received(case, now), start_workflow(case_id, now)]
    deps.store.record_identity(case_id, _identity(request, staff, now), audit, owed)
    return _existing(deps.store, case_id)


def start_workflow(case_id: str, now: datetime) -> Effect:
    """The start of an opened case's workflow, owed by the change that opens it (cases.effects carries it out)."""
    return Effect(
        id=f"cases:{case_id}:start_workflow", kind=START_WORKFLOW, payload={"case_id": case_id}, created_at=now
    )


def workflow_input(case: Case, step_timeout: int) -> dict[str, Any]:
    """The execution input of a case's workflow: its departments, in the order the event needs."""
    departments = [s.department for s in case.steps]
    payload: dict[str, Any] = {"case_id": case.id, "step_timeout_seconds": step_timeout}
    if case.event == "moving_in":
        # The residence registration comes first: the other departments work from the new address.
        payload["first"] = [d for d in departments if d == "shimin"]
        payload["departments"] = [d for d in departments if d != "shimin"]
    else:
        payload["departments"] = departments
    return payload


def workflow_started(case_id: str, deps: CaseDeps, now: datetime) -> None:
    """Step Functions has the case's execution: the staff view stops saying it is starting (recorded once)."""
    with contextlib.suppress(Conflict):  # recorded by an earlier run of the same effect
        deps.store.workflow_started(case_id, AuditEntry(at=now, actor=WORKFLOW_ACTOR, action="workflow_started"))


# --- reading a case ---------------------------------------------------------------------------------------------


def _existing(store: CaseStore, case_id: str) -> Case:
    case = store.get(case_id)
    if case is None:
        raise NotFound(case_id=case_id)
    return case


def _may_see(caller: Caller, record: CaseRecord) -> bool:
    if caller.role is Role.RESIDENT:
        return record.case.opened_by == caller.sub
    if caller.role is not Role.STAFF or not caller.department:
        return False
    involved = {*FRONT_COUNTERS, *(s.department for s in record.case.steps)}
    involved |= {v.department for v in record.verifications} | {m.to_department for m in record.thread}
    return caller.department in involved


def get_case(
    case_id: str, caller: Caller | None, deps: CaseDeps, now: datetime, *, lang: Lang
) -> CaseView | ResidentCaseView:
    """Staff of a department involved read the record (the read itself is audited); the resident who opened the
    case reads their own view of it. Another resident's case does not exist for them (404)."""
    who = require(caller, Role.STAFF, Role.RESIDENT)
    record = _existing_record(deps.store, case_id)
    if who.role is Role.RESIDENT:
        if record.case.opened_by != who.sub:
            raise NotFound(case_id=case_id)
        return resident_view(record.case, lang)
    if not _may_see(who, record):
        raise Forbidden()
    deps.store.audit(case_id, AuditEntry(at=now, actor=who.sub, action=VIEWED, department=who.department))
    return case_view(record, lang)


def view_for(case_id: str, caller: Caller | None, deps: CaseDeps, *, lang: Lang) -> CaseView | ResidentCaseView:
    """The answer of a write the caller was just allowed to make: the resident's own view for a resident."""
    who = require(caller, Role.STAFF, Role.RESIDENT)
    record = _existing_record(deps.store, case_id)
    return resident_view(record.case, lang) if who.role is Role.RESIDENT else case_view(record, lang)


def _existing_record(store: CaseStore, case_id: str) -> CaseRecord:
    record = store.record(case_id)
    if record is None:
        raise NotFound(case_id=case_id)
    return record


def _view_status(case: Case) -> ViewStatus:
    needs_resident = case.status == "open" and any(s.status == "needs_resident" for s in case.steps)
    return "needs_resident" if needs_resident else case.status


def _workflow_starting(case: Case) -> bool:
    """Open with its start still owed. A case opened before starts were recorded shows it started once any step
    has been reached."""
    reached = any(s.status != "pending" or s.task_id for s in case.steps)
    return case.status == "open" and case.workflow_started_at is None and not reached


def resident_view(case: Case, lang: Lang) -> ResidentCaseView:
    event = life_event(case.event)
    planned = plan(event, case.answers)
    names = {p.id: pick(p.name, lang) for step in planned.steps for p in step.procedures}
    return ResidentCaseView(
        id=case.id,
        code=case.code,
        qr_svg=_qr_svg(case.code) if case.code else None,
        event=case.event,
        event_name=pick(event.name, lang),
        subject=case.subject,
        status=_view_status(case),
        opened_at=case.opened_at,
        closed_at=case.closed_at,
        counter=pick(DEPARTMENTS[ONESTOP], lang),
        steps=[
            ResidentStepView(
                department=s.department,
                department_name=pick(DEPARTMENTS.get(s.department, {"ja": s.department}), lang),
                status="waiting" if s.status == "escalated" else s.status,
                return_reason=s.return_reason,
                procedures=[ResidentProcedure(id=i, name=names[i]) for i in s.procedures if i in names],
            )
            for s in case.steps
        ],
        done=[names[i] for s in case.steps if s.status == "approved" for i in s.procedures if i in names],
        remaining=[
            RemainingView(id=r.id, name=pick(r.name, lang), where=pick(r.where, lang)) for r in planned.remaining
        ],
    )


def _qr_svg(code: str) -> str:
    """The case's short code as a QR code (SVG) for the counter's scanner; it carries the code only."""
    import io

    import segno

    out = io.BytesIO()
    segno.make(f"MADOGUCHI-CASE:{code}", error="m").save(out, kind="svg", scale=4, title=code)
    return out.getvalue().decode()


def case_view(record: CaseRecord, lang: Lang) -> CaseView:
    case = record.case
    event = life_event(case.event)
    planned = plan(event, case.answers)
    guides = {p.id: p for step in planned.steps for p in step.procedures}
    status = _view_status(case)
    return CaseView(
        id=case.id,
        code=case.code,
        event=case.event,
        event_name=pick(event.name, lang),
        subject=case.subject,
        status=status,
        workflow_starting=_workflow_starting(case),
        opened_by=case.opened_by,
        opened_at=case.opened_at,
        closed_at=case.closed_at,
        identity=case.identity,
        explained=case.explained,
        answers=case.answers,
        steps=[
            StepView(
                department=s.department,
                department_name=pick(DEPARTMENTS.get(s.department, {"ja": s.department}), lang),
                status=s.status,
                task_id=s.task_id,
                return_reason=s.return_reason,
                escalations=s.escalations,
                procedures=[
                    ProcedureGuide(
                        id=p.id,
                        name=pick(p.name, lang),
                        check=[pick(c, lang) for c in p.check],
                        explain=[pick(e, lang) for e in p.explain],
                    )
                    for p in (guides[i] for i in s.procedures if i in guides)
                ],
            )
            for s in case.steps
        ],
        remaining=[
            RemainingView(id=r.id, name=pick(r.name, lang), where=pick(r.where, lang)) for r in planned.remaining
        ],
        thread=sorted(record.thread, key=lambda m: m.at),
        verifications=record.verifications,
        # Reads stay in the audit trail but are not events of the case.
        timeline=sorted((a for a in record.timeline if a.action != VIEWED), key=lambda a: a.at),
    )


# --- remote back-office support and internal verification ----------------------------------------------------


def _involved_staff(case_id: str, caller: Caller | None, store: CaseStore) -> tuple[Caller, CaseRecord]:
    staff = require(caller, Role.STAFF)
    record = store.record(case_id)
    if record is None:
        raise NotFound(case_id=case_id)
    if not _may_see(staff, record):
        raise Forbidden()
    return staff, record


def _known_department(department: str, field: str) -> None:
    if department not in DEPARTMENTS:
        raise InvalidInput([(["body", field], "field_invalid")])


def post_message(
    case_id: str,
    request: Message,
    caller: Caller | None,
    deps: CaseDeps,
    now: datetime,
    *,
    idempotency_key: str | None = None,
) -> ThreadMessage:
    """A message to a department on the case's thread; a retry with the same Idempotency-Key returns the first."""
    staff, _ = _involved_staff(case_id, caller, deps.store)
    _known_department(request.to_department, "to_department")
    message = ThreadMessage(
        id=retry_id("m", staff.sub, idempotency_key, case_id),
        by=staff.sub,
        department=staff.department,
        to_department=request.to_department,
        text=request.text,
        at=now,
    )
    audit = AuditEntry(
        at=now,
        actor=staff.sub,
        action="message_posted",
        department=staff.department,
        detail=f"to {request.to_department}",
    )
    try:
        deps.store.add_message(case_id, message, audit)
    except Conflict:
        return _filed(idempotency_key, deps.store, case_id, lambda r: r.thread, message.id)
    return message


def ask_verification(
    case_id: str,
    request: Ask,
    caller: Caller | None,
    deps: CaseDeps,
    now: datetime,
    *,
    idempotency_key: str | None = None,
) -> Verification:
    """Ask a department to confirm a fact; a retry with the same Idempotency-Key returns the first question."""
    staff, _ = _involved_staff(case_id, caller, deps.store)
    _known_department(request.department, "department")
    verification = Verification(
        id=retry_id("v", staff.sub, idempotency_key, case_id),
        asked_by=staff.sub,
        asked_department=staff.department,
        department=request.department,
        question=request.question,
        asked_at=now,
    )
    audit = AuditEntry(
        at=now,
        actor=staff.sub,
        action="verification_asked",
        department=staff.department,
        detail=f"to {request.department}",
    )
    try:
        deps.store.add_verification(case_id, verification, audit)
    except Conflict:
        return _filed(idempotency_key, deps.store, case_id, lambda r: r.verifications, verification.id)
    return verification


def _filed(
    idempotency_key: str | None,
    store: CaseStore,
    case_id: str,
    entries: Callable[[CaseRecord], Sequence[Filed]],
    entry_id: str,
) -> Filed:
    """What a retry filed first under its id; without a key a Conflict is not a retry and stands."""
    record = store.record(case_id) if idempotency_key else None
    first = next((e for e in entries(record) if e.id == entry_id), None) if record else None
    if first is None:
        raise Conflict(case_id=case_id)
    return first


def pending_verifications(cursor: str | None, caller: Caller | None, deps: CaseDeps) -> PendingVerificationList:
    """What the department's staff are asked to check in one-stop cases (the inbox counts the same items)."""
    staff = require(caller, Role.STAFF)
    if not staff.department:
        raise Forbidden()
    found, next_cursor = deps.store.pending_verifications(staff.department, VERIFICATION_PAGE, cursor)
    return PendingVerificationList(
        verifications=[PendingVerification(case_id=case_id, verification=v) for case_id, v in found],
        next=next_cursor,
    )


def answer_verification(
    case_id: str, verification_id: str, request: Answer, caller: Caller | None, deps: CaseDeps, now: datetime
) -> Verification:
    staff, record = _involved_staff(case_id, caller, deps.store)
    verification = next((v for v in record.verifications if v.id == verification_id), None)
    if verification is None:
        raise NotFound(verification_id=verification_id)
    if staff.department != verification.department:
        raise Forbidden()
    answered = verification.model_copy(update={"answer": request.answer, "answered_by": staff.sub, "answered_at": now})
    audit = AuditEntry(at=now, actor=staff.sub, action="verification_answered", department=staff.department)
    deps.store.answer_verification(case_id, answered, audit)
    return answered


# --- what the workflow calls ---------------------------------------------------------------------------------------


def step_waits(case_id: str, department: str, task_id: str, kind: str, deps: CaseDeps, now: datetime) -> None:
    status = "needs_resident" if kind == "awaiting_resident" else "waiting"
    audit = AuditEntry(at=now, actor=WORKFLOW_ACTOR, action=f"step_{status}", department=department)
    deps.store.update_step(case_id, department, {"status": status, "task_id": task_id}, audit)


def step_escalated(case_id: str, department: str, deps: CaseDeps, now: datetime) -> int:
    """Record the escalation on the case; the caller notifies the department's lead. Returns how many so far."""
    step = _step(_existing(deps.store, case_id), department)
    escalations = step.escalations + 1
    audit = AuditEntry(
        at=now, actor=WORKFLOW_ACTOR, action="step_escalated", department=department, detail=f"escalation {escalations}"
    )
    deps.store.update_step(case_id, department, {"status": "escalated", "escalations": escalations}, audit)
    return escalations


def close_case(case_id: str, deps: CaseDeps, now: datetime) -> Case:
    case = _existing(deps.store, case_id)
    done = ", ".join(s.department for s in case.steps)
    audit = AuditEntry(at=now, actor=WORKFLOW_ACTOR, action="case_closed", detail=f"done: {done}")
    deps.store.close(case_id, audit, [case_events.completed(case, now)])
    return _existing(deps.store, case_id)


def _step(case: Case, department: str) -> CaseStep:
    step = case.step(department)
    if step is None:
        raise NotFound(department=department)
    return step

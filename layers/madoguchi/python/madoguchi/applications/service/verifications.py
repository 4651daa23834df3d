"""Internal verifications: questions one department asks another instead of the resident fetching a city
certificate, asked when an application is received and answered by staff of the asked department."""

from __future__ import annotations

from datetime import datetime

from madoguchi.applications.forms import Form
from madoguchi.applications.models import AnswerRequest, Application
from madoguchi.applications.service.access import PAGE, ApplicationDeps, audit_entry, load, new_id
from madoguchi.cases.models import Verification
from madoguchi.shared.auth import Caller, Role, require
from madoguchi.shared.errors import Conflict, Forbidden, NotFound


def verifications_for(found: Form, application: Application, now: datetime) -> list[Verification]:
    """The verifications a received application asks (the form says which)."""
    return [
        Verification(
            id=new_id("v"),
            asked_by="system",
            asked_department=application.department,
            department=spec.department,
            question=f"{spec.question}（申請 {application.code}）",
            asked_at=now,
        )
        for spec in found.verifications
    ]


def pending_verifications(
    cursor: str | None, caller: Caller | None, deps: ApplicationDeps
) -> list[tuple[str, Verification]]:
    who = require(caller, Role.STAFF)
    if not who.department:
        raise Forbidden()
    items, _ = deps.store.pending_verifications(who.department, PAGE, cursor)
    return items


def answer_verification(
    application_id: str,
    verification_id: str,
    request: AnswerRequest,
    caller: Caller | None,
    deps: ApplicationDeps,
    now: datetime,
) -> Verification:
    who = require(caller, Role.STAFF)
    record = load(deps.store, application_id)
    verification = next((v for v in record.verifications if v.id == verification_id), None)
    if verification is None:
        raise NotFound(verification_id=verification_id)
    if who.department != verification.department:
        raise Forbidden()
    if verification.answer is not None:
        raise Conflict()
    answered = verification.model_copy(
        update={"answer": request.answer.strip(), "answered_by": who.sub, "answered_at": now}
    )
    deps.store.answer_verification(application_id, answered, audit_entry(who, "verification_answered", now))
    return answered

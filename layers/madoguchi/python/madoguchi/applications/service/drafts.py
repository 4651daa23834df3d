"""Drafts: the form, starting an application (prefilled from the city's records or a card-reader visit),
saving answers and asking for an upload slot."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from madoguchi.applications.forms import Form, validate, view
from madoguchi.applications.models import (
    EDITABLE,
    MAX_ATTACHMENT_BYTES,
    Application,
    Attachment,
    CreateApplication,
    UpdateAnswers,
    UploadRequest,
    UploadTicket,
)
from madoguchi.applications.service.access import (
    UPLOAD_SECONDS,
    ApplicationDeps,
    NotDeletable,
    NotEditable,
    VisitExpired,
    audit_entry,
    current_attachments,
    editor,
    form_of,
    load,
    new_code,
    new_id,
    problems,
    procedure_form,
)
from madoguchi.applications.service.payment import close_checkout
from madoguchi.applications.store import ApplicationRecord, ApplicationStore
from madoguchi.cases.models import FRONT_COUNTERS
from madoguchi.shared.auth import Caller, DeviceKind, Role, require
from madoguchi.shared.errors import Conflict, Forbidden, InvalidInput, NotFound, present
from madoguchi.shared.i18n import LANGS, Lang
from madoguchi.shared.retries import retry_id

# How far back a resident's applications are looked through for an open draft to resume (newest first).
RESUME_PAGES = 5
RESUME_PAGE = 50


def form_view(procedure_id: str, deps: ApplicationDeps, *, lang: Lang) -> Any:
    _, found = procedure_form(deps.procedures, procedure_id)
    return view(found, lang)


def _prefill(found: Form, known: dict[str, str | None]) -> tuple[dict[str, Any], list[str]]:
    answers: dict[str, Any] = {}
    for field in found.fields:
        if field.prefill and known.get(field.prefill):
            answers[field.id] = known[field.prefill]
    return answers, list(answers)


def create(
    request: CreateApplication,
    caller: Caller | None,
    deps: ApplicationDeps,
    now: datetime,
    *,
    lang: Lang,
    idempotency_key: str | None = None,
) -> Application:
    """A resident starts a draft (prefilled from the resident record); staff start proxy input or a counter
    application (prefilled from a card-reader visit); a kiosk starts a certificate request from a visit."""
    store = deps.store
    who = require(caller, Role.RESIDENT, Role.STAFF, Role.DEVICE)
    key = f"{who.sub}#{idempotency_key}" if idempotency_key else None
    if key:
        existing = store.by_idempotency(key)
        if existing:
            return present(store.get(existing))
    procedure, found = procedure_form(deps.procedures, request.procedure)
    known: dict[str, str | None] = {}
    owner: str | None = None
    typed_by: str | None = None
    typed_at: str | None = None
    email: str | None = None
    if who.role is Role.RESIDENT:
        if request.proxy or request.for_resident or request.visit_id:
            raise InvalidInput([(["body", "proxy"], "not_allowed_for_residents")])
        if not request.answers and (open_draft := _open_draft(store, who.sub, procedure.id)):
            return open_draft  # one draft per procedure: choosing it again resumes it
        owner = who.sub
        resident = store.resident(who.sub)
        if resident:
            known = resident.model_dump(include={"name", "address", "date_of_birth", "sex", "phone"})
            email = resident.email
            lang = resident.lang if resident.lang in LANGS else lang
        channel = "online" if procedure.online_here else "counter"
    elif who.role is Role.STAFF:
        if who.department not in ({procedure.department} | FRONT_COUNTERS):
            raise Forbidden()
        typed_by, typed_at = who.sub, who.department
        channel = "counter"
        if request.for_resident:
            resident = store.resident(request.for_resident)
            if resident is None:
                raise InvalidInput([(["body", "for_resident"], "field_invalid")])
            owner, email = resident.id, resident.email
            known = resident.model_dump(include={"name", "address", "date_of_birth", "sex", "phone"})
    else:
        require(who, Role.DEVICE, device_kind=DeviceKind.KIOSK)
        if "kiosk" not in procedure.channels or procedure.category != "certificate":
            raise Forbidden()
        if not request.visit_id:
            raise InvalidInput([(["body", "visit_id"], "field_missing")])
        typed_by = who.sub
        channel = "kiosk"
    if request.visit_id:
        visit = store.visit(request.visit_id, now)
        if visit is None:
            raise VisitExpired(visit_id=request.visit_id)
        known = {**known, **visit.model_dump(include={"name", "address", "date_of_birth", "sex"})}
    answers, prefilled = _prefill(found, known)
    for field_id in request.answers:
        if field_id in prefilled:
            raise InvalidInput([(["body", "answers", field_id], "field_prefilled")])
    answers.update(request.answers)
    problems(found, answers, complete=False)
    application = Application(
        id=new_id("a"),
        code=new_code(),
        procedure=procedure.id,
        department=procedure.department,
        channel=channel,  # type: ignore[arg-type]
        status="draft",
        owner=owner,
        answers=answers,
        prefilled=prefilled,
        lang=lang,
        email=email,
        typed_by=typed_by,
        typed_at=typed_at,
        visit_id=request.visit_id,
        created_at=now,
        updated_at=now,
    )
    try:
        store.create(application, audit_entry(who, "created", now), key)
    except Conflict:
        if key and (existing := store.by_idempotency(key)):
            return present(store.get(existing))
        raise
    return application


def _open_draft(store: ApplicationStore, owner: str, procedure_id: str) -> Application | None:
    """The resident's newest draft of this procedure they started themselves, if any."""
    cursor: str | None = None
    for _ in range(RESUME_PAGES):
        items, cursor = store.mine(owner, RESUME_PAGE, cursor)
        for a in items:
            if a.procedure == procedure_id and a.status == "draft" and a.typed_by is None:
                return a
        if cursor is None:
            return None
    return None


def delete_draft(application_id: str, caller: Caller | None, deps: ApplicationDeps, now: datetime) -> None:
    """The resident deletes a draft of their own (with its answers and files); a submitted application is the
    city's record and stays. Someone else's application reads as missing."""
    who = require(caller, Role.RESIDENT)
    application = deps.store.get(application_id)
    if application is None or application.owner != who.sub:
        raise NotFound(application_id=application_id)
    if application.status != "draft" or application.typed_by is not None:
        raise NotDeletable()
    record = load(deps.store, application_id)
    deps.store.delete_draft(application, expected_version=application.version)
    for x in record.attachments:  # unreferenced files expire anyway; deleting now keeps nothing longer than asked
        deps.files().delete(x.key)


def update_answers(
    application_id: str, request: UpdateAnswers, caller: Caller | None, deps: ApplicationDeps, now: datetime
) -> Application:
    application = load(deps.store, application_id).application
    who = editor(caller, application)
    if application.status not in EDITABLE | {"awaiting_payment"}:
        raise NotEditable()
    expected = application.version
    application = close_checkout(application, deps, now)  # the old amount can no longer be paid
    found = form_of(application)
    answers = request.answers
    for field_id in answers:
        if field_id in application.prefilled and answers[field_id] != application.answers.get(field_id):
            raise InvalidInput([(["body", "answers", field_id], "field_prefilled")])
    merged = {**application.answers, **answers}
    merged = {k: v for k, v in merged.items() if v is not None and v != ""}
    problems(found, merged, complete=False)
    if request.complete:
        _check_step(found, merged, load(deps.store, application.id))
    elif request.step:
        _check_page(found, merged, load(deps.store, application.id), request.step)
    changed = application.model_copy(update={"answers": merged, "updated_at": now, "version": expected + 1})
    action = "answers_changed_by_staff" if who.role is Role.STAFF else "answers_changed"
    deps.store.save(changed, audit_entry(who, action, now), expected_version=expected)
    return changed


def _check_page(found: Form, answers: dict[str, Any], record: ApplicationRecord, page: list[str]) -> None:
    """One question page: the problems of its own questions and files only (the later pages are not asked yet)."""
    known = {f.id for f in found.fields} | {a.id for a in found.attachments}
    unknown: list[tuple[list[str | int], str]] = [
        (["body", "step", i], "field_unknown") for i, name in enumerate(page) if name not in known
    ]
    if unknown:
        raise InvalidInput(unknown)
    _check_step(found, answers, record, only=set(page))


def _check_step(found: Form, answers: dict[str, Any], record: ApplicationRecord, only: set[str] | None = None) -> None:
    """Every required answer and attachment present and accepted (or those named in `only`): all problems in one
    422, in form order."""
    found_problems: list[tuple[list[str | int], str]] = list(validate(found, answers, complete=True))
    latest = current_attachments(record)
    for spec in found.attachments:
        current = latest.get(spec.id)
        if current is None and spec.required:
            found_problems.append((["body", "attachments", spec.id], "attachment_missing"))
        elif current is not None and current.status == "rejected":
            found_problems.append((["body", "attachments", spec.id], current.reason or "attachment_rejected"))
        elif current is not None and current.status == "pending":
            found_problems.append((["body", "attachments", spec.id], "attachment_pending"))
    if only is not None:
        found_problems = [p for p in found_problems if p[0][-1] in only]
    if found_problems:
        raise InvalidInput(found_problems)


def request_upload(
    application_id: str,
    request: UploadRequest,
    caller: Caller | None,
    deps: ApplicationDeps,
    now: datetime,
    *,
    idempotency_key: str | None = None,
) -> UploadTicket:
    """Where to post one file. A retry with the same Idempotency-Key is the same attachment with a fresh upload
    link, while its file has not arrived; once it has been checked, the retry is a Conflict."""
    application = load(deps.store, application_id).application
    who = editor(caller, application)
    if application.status not in EDITABLE:
        raise NotEditable()
    found = form_of(application)
    if request.kind not in {a.id for a in found.attachments}:
        raise InvalidInput([(["body", "kind"], "field_invalid")])
    attachment_id = retry_id("f", who.sub, idempotency_key, application.id)
    attachment = Attachment(
        id=attachment_id,
        kind=request.kind,
        content_type=request.content_type,
        key=f"uploads/{application.id}/{attachment_id}",
        created_at=now,
    )
    try:
        deps.store.add_attachment(application.id, attachment)
    except Conflict:
        first = deps.store.attachment(application.id, attachment_id) if idempotency_key else None
        if first is None or first.status != "pending":
            raise
        attachment = first  # the first request's answer was lost: post the file where it said
    else:
        deps.store.audit(application.id, audit_entry(who, "upload_requested", now, request.kind))
    url, fields = deps.files().presign_upload(
        attachment.key, attachment.content_type, MAX_ATTACHMENT_BYTES, UPLOAD_SECONDS
    )
    return UploadTicket(
        attachment_id=attachment.id, url=url, fields=fields, max_bytes=MAX_ATTACHMENT_BYTES, expires_in=UPLOAD_SECONDS
    )

"""Applications: who may do what, the resident's flow, card-reader prefill, QR hand-off, proxy input,
internal verifications instead of city certificates, staff decisions and notifications."""

from __future__ import annotations

import base64
import secrets
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from madoguchi.applications.forms import Form, form, validate, view
from madoguchi.applications.models import (
    EDITABLE,
    MAX_ATTACHMENT_BYTES,
    Application,
    ApplicationPage,
    ApplicationSummary,
    Attachment,
    AttachmentView,
    AuditEntry,
    CreateApplication,
    DecisionRequest,
    OnlineApplicationView,
    Status,
    UploadRequest,
    UploadTicket,
    Visit,
    VisitRequest,
    VisitView,
)
from madoguchi.applications.store import ApplicationRecord, ApplicationStore, Attachments, Mailer
from madoguchi.cases.models import FRONT_COUNTERS, Verification
from madoguchi.payments.store import PaymentEvent, PaymentGateway, UnknownCheckout
from madoguchi.procedures.models import Procedure
from madoguchi.procedures.store import ProcedureStore
from madoguchi.shared.auth import Caller, DeviceKind, Role, require
from madoguchi.shared.errors import Conflict, Forbidden, InvalidInput, NotFound, present
from madoguchi.shared.i18n import LANGS, Lang, message, pick

UPLOAD_SECONDS = 600
LINK_SECONDS = 300
VISIT_MINUTES = 30
CHECKOUT_MINUTES = 30
PAGE = 20
REFERENCE_PREFIX = "application:"  # payment references of application fees (the gateway is shared)
# Crockford base32 without look-alikes: what staff type from a printout.
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


class AttachmentNotValid(Conflict):
    code = "attachment_not_valid"


class NotEditable(Conflict):
    code = "application_not_editable"


class VerificationPending(Conflict):
    code = "verification_pending"


class VisitExpired(NotFound):
    code = "visit_expired"


def _id(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:16]}"


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))


def _audit(caller: Caller, action: str, now: datetime, detail: str = "") -> AuditEntry:
    return AuditEntry(
        at=now, actor=caller.sub, role=caller.role.value, action=action, department=caller.department, detail=detail
    )


def _procedure(procedures: ProcedureStore, procedure_id: str) -> tuple[Procedure, Form]:
    procedure = procedures.get(procedure_id)
    found = form(procedure_id)
    if procedure is None or found is None:
        raise NotFound(procedure_id=procedure_id)
    return procedure, found


def _is_staff_of(caller: Caller, application: Application) -> bool:
    return caller.role is Role.STAFF and caller.department in ({application.department} | FRONT_COUNTERS)


def _load(store: ApplicationStore, application_id: str) -> ApplicationRecord:
    record = store.record(application_id)
    if record is None:
        raise NotFound(application_id=application_id)
    return record


def _may_read(caller: Caller, application: Application) -> bool:
    if caller.role is Role.RESIDENT:
        return application.owner == caller.sub
    if caller.role is Role.STAFF:
        return _is_staff_of(caller, application)
    # A kiosk only follows the certificate request it made itself.
    return (
        caller.device_kind is DeviceKind.KIOSK and application.channel == "kiosk" and application.typed_by == caller.sub
    )


def _readable(store: ApplicationStore, application_id: str, caller: Caller | None, now: datetime) -> ApplicationRecord:
    who = require(caller, Role.RESIDENT, Role.STAFF, Role.DEVICE)
    record = _load(store, application_id)
    if not _may_read(who, record.application):
        # Another resident's application is as unknown to them as one that does not exist.
        raise NotFound(application_id=application_id) if who.role is Role.RESIDENT else Forbidden()
    if who.role is Role.STAFF:
        store.audit(application_id, _audit(who, "viewed", now))
    return record


# --- forms --------------------------------------------------------------------------------------------------------


def form_view(procedures: ProcedureStore, procedure_id: str, lang: Lang) -> Any:
    _, found = _procedure(procedures, procedure_id)
    return view(found, lang)


def _prefill(found: Form, known: dict[str, str | None]) -> tuple[dict[str, Any], list[str]]:
    answers: dict[str, Any] = {}
    for field in found.fields:
        if field.prefill and known.get(field.prefill):
            answers[field.id] = known[field.prefill]
    return answers, list(answers)


def _problems(found: Form, answers: dict[str, Any], complete: bool) -> None:
    problems = validate(found, answers, complete=complete)
    if problems:
        raise InvalidInput(problems)


# --- creating -----------------------------------------------------------------------------------------------------


def create(
    request: CreateApplication,
    caller: Caller | None,
    store: ApplicationStore,
    procedures: ProcedureStore,
    now: datetime,
    lang: Lang,
    idempotency_key: str | None = None,
) -> Application:
    """A resident starts a draft (prefilled from the resident record); staff start proxy input or a counter
    application (prefilled from a card-reader visit); a kiosk starts a certificate request from a visit."""
    who = require(caller, Role.RESIDENT, Role.STAFF, Role.DEVICE)
    key = f"{who.sub}#{idempotency_key}" if idempotency_key else None
    if key:
        existing = store.by_idempotency(key)
        if existing:
            found_app = store.get(existing)
            found_app = present(found_app)
            return found_app
    procedure, found = _procedure(procedures, request.procedure)
    known: dict[str, str | None] = {}
    owner: str | None = None
    typed_by: str | None = None
    email: str | None = None
    if who.role is Role.RESIDENT:
        if request.proxy or request.for_resident or request.visit_id:
            raise InvalidInput([(["body", "proxy"], "not_allowed_for_residents")])
        owner = who.sub
        resident = store.resident(who.sub)
        if resident:
            known = resident.model_dump(include={"name", "address", "date_of_birth", "sex", "phone"})
            email = resident.email
            lang = resident.lang if resident.lang in LANGS else lang
        channel = "online" if "online" in procedure.channels else "counter"
    elif who.role is Role.STAFF:
        if who.department not in ({procedure.department} | FRONT_COUNTERS):
            raise Forbidden()
        typed_by = who.sub
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
    _problems(found, answers, complete=False)
    application = Application(
        id=_id("a"),
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
        visit_id=request.visit_id,
        created_at=now,
        updated_at=now,
    )
    try:
        store.create(application, _audit(who, "created", now), key)
    except Conflict:
        if key and (existing := store.by_idempotency(key)):
            again = store.get(existing)
            again = present(again)
            return again
        raise
    return application


# --- reading ------------------------------------------------------------------------------------------------------


def get(store: ApplicationStore, application_id: str, caller: Caller | None, now: datetime) -> ApplicationRecord:
    return _readable(store, application_id, caller, now)


def by_code(store: ApplicationStore, code: str, caller: Caller | None, now: datetime) -> ApplicationRecord:
    """Staff open a pre-registration from its QR code or typed short code."""
    who = require(caller, Role.STAFF)
    application_id = store.by_code(code.strip().upper().replace("-", ""))
    if application_id is None:
        raise NotFound(code=code)
    return _readable(store, application_id, who, now)


def mine(
    store: ApplicationStore,
    caller: Caller | None,
    procedures: ProcedureStore,
    lang: Lang,
    cursor: str | None,
    now: datetime,
) -> ApplicationPage:
    who = require(caller, Role.RESIDENT)
    items, next_cursor = store.mine(who.sub, PAGE, cursor)
    return ApplicationPage(applications=[summary(a, procedures, lang, now) for a in items], next=next_cursor)


def inbox(
    store: ApplicationStore,
    caller: Caller | None,
    procedures: ProcedureStore,
    lang: Lang,
    status: str | None,
    cursor: str | None,
    now: datetime,
) -> ApplicationPage:
    who = require(caller, Role.STAFF)
    if not who.department:
        raise Forbidden()
    items, next_cursor = store.inbox(who.department, status, PAGE, cursor)
    return ApplicationPage(applications=[summary(a, procedures, lang, now) for a in items], next=next_cursor)


def summary(a: Application, procedures: ProcedureStore, lang: Lang, now: datetime) -> ApplicationSummary:
    procedure = procedures.get(a.procedure)
    return ApplicationSummary(
        id=a.id,
        code=a.code,
        procedure=a.procedure,
        procedure_name=pick(procedure.name, lang) if procedure else a.procedure,
        status=a.status,
        channel=a.channel,
        created_at=a.created_at,
        submitted_at=a.submitted_at,
        age_days=(now - a.submitted_at).days if a.submitted_at else None,
    )


def application_view(
    record: ApplicationRecord,
    procedures: ProcedureStore,
    lang: Lang,
    attachments: Attachments | None = None,
    qr_svg: str | None = None,
) -> OnlineApplicationView:
    a = record.application
    procedure = procedures.get(a.procedure)
    found = form(a.procedure)
    found = present(found)
    return OnlineApplicationView(
        id=a.id,
        code=a.code,
        procedure=a.procedure,
        procedure_name=pick(procedure.name, lang) if procedure else a.procedure,
        department=a.department,
        channel=a.channel,
        status=a.status,
        owner=a.owner,
        answers=a.answers,
        prefilled=a.prefilled,
        fee_yen=a.fee_yen or _fee(procedure, found, a.answers),
        payment_url=a.payment.url if a.payment and not a.payment.paid else None,
        paid=bool(a.payment and a.payment.paid),
        typed_by=a.typed_by,
        confirmed_by=a.confirmed_by,
        return_reason=a.return_reason,
        created_at=a.created_at,
        updated_at=a.updated_at,
        submitted_at=a.submitted_at,
        attachments=[
            AttachmentView(
                id=x.id,
                kind=x.kind,
                content_type=x.content_type,
                status=x.status,
                reason=x.reason,
                size=x.size,
                link=attachments.link(x.key, LINK_SECONDS) if attachments and x.status == "valid" else None,
            )
            for x in sorted(record.attachments, key=lambda x: x.created_at)
        ],
        verifications=sorted(record.verifications, key=lambda v: v.asked_at),
        form=view(found, lang),
        qr_svg=qr_svg,
    )


def _fee(procedure: Procedure | None, found: Form, answers: dict[str, Any]) -> int:
    return (procedure.fee_yen if procedure else 0) * found.units(answers)


# --- changing a draft ---------------------------------------------------------------------------------------------


def _editor(caller: Caller | None, application: Application) -> Caller:
    who = require(caller, Role.RESIDENT, Role.STAFF, Role.DEVICE)
    if who.role is Role.RESIDENT and application.owner == who.sub and application.typed_by is None:
        return who
    if (
        who.role is Role.STAFF
        and _is_staff_of(who, application)
        and (application.typed_by is not None or application.status == "preregistered")
    ):
        return who
    if who.role is Role.DEVICE and application.typed_by == who.sub and application.channel == "kiosk":
        return who
    if who.role is Role.RESIDENT and application.owner != who.sub:
        raise NotFound(application_id=application.id)
    raise Forbidden()


def update_answers(
    store: ApplicationStore, application_id: str, answers: dict[str, Any], caller: Caller | None, now: datetime
) -> Application:
    application = _load(store, application_id).application
    who = _editor(caller, application)
    if application.status not in EDITABLE:
        raise NotEditable()
    found = form(application.procedure)
    found = present(found)
    for field_id in answers:
        if field_id in application.prefilled and answers[field_id] != application.answers.get(field_id):
            raise InvalidInput([(["body", "answers", field_id], "field_prefilled")])
    merged = {**application.answers, **answers}
    merged = {k: v for k, v in merged.items() if v is not None and v != ""}
    _problems(found, merged, complete=False)
    changed = application.model_copy(update={"answers": merged, "updated_at": now, "version": application.version + 1})
    action = "answers_changed_by_staff" if who.role is Role.STAFF else "answers_changed"
    store.save(changed, _audit(who, action, now), expected_version=application.version)
    return changed


def request_upload(
    store: ApplicationStore,
    attachments: Attachments,
    application_id: str,
    request: UploadRequest,
    caller: Caller | None,
    now: datetime,
) -> UploadTicket:
    application = _load(store, application_id).application
    who = _editor(caller, application)
    if application.status not in EDITABLE:
        raise NotEditable()
    found = form(application.procedure)
    found = present(found)
    if request.kind not in {a.id for a in found.attachments}:
        raise InvalidInput([(["body", "kind"], "field_invalid")])
    attachment_id = _id("f")
    key = f"uploads/{application.id}/{attachment_id}"
    url, fields = attachments.presign_upload(key, request.content_type, MAX_ATTACHMENT_BYTES, UPLOAD_SECONDS)
    store.add_attachment(
        application.id,
        Attachment(id=attachment_id, kind=request.kind, content_type=request.content_type, key=key, created_at=now),
    )
    store.audit(application.id, _audit(who, "upload_requested", now, request.kind))
    return UploadTicket(
        attachment_id=attachment_id, url=url, fields=fields, max_bytes=MAX_ATTACHMENT_BYTES, expires_in=UPLOAD_SECONDS
    )


def current_attachments(record: ApplicationRecord) -> dict[str, Attachment]:
    """The latest attachment of each kind: a new photo replaces the one before it."""
    latest: dict[str, Attachment] = {}
    for x in sorted(record.attachments, key=lambda x: (x.created_at, x.id)):
        latest[x.kind] = x
    return latest


# --- submitting -----------------------------------------------------------------------------------------------


def submit(
    store: ApplicationStore,
    procedures: ProcedureStore,
    attachments: Attachments,
    payments: Callable[[], PaymentGateway] | None,
    mailer: Mailer | None,
    application_id: str,
    caller: Caller | None,
    now: datetime,
    idempotency_key: str | None,
    return_url: str,
) -> Application:
    who = require(caller, Role.RESIDENT, Role.STAFF, Role.DEVICE)
    key = f"{who.sub}#submit#{idempotency_key}" if idempotency_key else None
    if key and store.by_idempotency(key) == application_id:
        again = store.get(application_id)
        again = present(again)
        return again
    record = _load(store, application_id)
    application = record.application
    _editor(who, application)
    if application.status not in ("draft", "returned"):
        raise NotEditable()
    procedure, found = _procedure(procedures, application.procedure)
    _problems(found, application.answers, complete=True)
    latest = current_attachments(record)
    missing = [
        (["body", "attachments", spec.id], "attachment_missing")
        for spec in found.attachments
        if spec.required and spec.id not in latest
    ]
    if any(x.status != "valid" for x in latest.values()):
        raise AttachmentNotValid()
    if missing:
        raise InvalidInput(missing)  # type: ignore[arg-type]
    fee = _fee(procedure, found, application.answers)
    verifications: list[Verification] = []
    payment = application.payment
    status: Status
    if application.channel == "counter" and application.typed_by is None:
        status = "preregistered"  # handed over at the counter by QR code
    elif application.typed_by is not None and who.role is Role.STAFF and application.confirmed_by is None:
        status = "awaiting_confirmation"
    elif fee > 0 and application.channel == "online" and not (payment and payment.paid):
        if payments is None:
            raise RuntimeError("a fee needs the payment gateway")
        status = "awaiting_payment"
        payment = _checkout(payments(), application, procedure, fee, now, return_url, idempotency_key)
    else:
        status = "received"
        verifications = [] if application.status == "returned" else _verifications(found, application, now)
    changed = application.model_copy(
        update={
            "status": status,
            "fee_yen": fee,
            "payment": payment,
            "submitted_at": now if status == "received" else application.submitted_at,
            "updated_at": now,
            "return_reason": None,
            "version": application.version + 1,
        }
    )
    try:
        store.save(
            changed,
            _audit(who, f"submitted:{status}", now),
            expected_version=application.version,
            idempotency=key,
            verifications=verifications,
            attachment_keys=[x.id for x in latest.values()],
        )
    except Conflict:
        if key and store.by_idempotency(key) == application_id:
            again = store.get(application_id)
            again = present(again)
            return again
        # An attachment changed under us, or another submit won: tell which.
        fresh = _load(store, application_id)
        if any(x.status != "valid" for x in current_attachments(fresh).values()):
            raise AttachmentNotValid() from None
        raise
    if status == "received":
        for x in latest.values():
            attachments.mark_referenced(x.key)
    notify(mailer, changed, return_url)
    return changed


def _checkout(
    payments: PaymentGateway,
    application: Application,
    procedure: Procedure,
    fee: int,
    now: datetime,
    return_url: str,
    idempotency_key: str | None,
) -> Any:
    from madoguchi.applications.models import Payment

    back = f"{return_url}{'&' if '?' in return_url else '?'}id={application.id}"
    checkout = payments.create_checkout(
        amount=fee,
        reference=f"{REFERENCE_PREFIX}{application.id}",
        purpose="application_fee",
        description=f"{pick(procedure.name, 'ja')} {application.code}",
        success_url=f"{back}&paid=1",
        cancel_url=back,
        expires_at=now + timedelta(minutes=CHECKOUT_MINUTES),
        idempotency_key=f"application-{application.id}-{application.version}-{idempotency_key or ''}",
        locale=application.lang if application.lang in ("ja", "en", "pt", "vi", "zh") else "ja",
    )
    return Payment(session_id=checkout.session_id, url=checkout.url, amount_yen=fee)


def _verifications(found: Form, application: Application, now: datetime) -> list[Verification]:
    return [
        Verification(
            id=_id("v"),
            asked_by="system",
            asked_department=application.department,
            department=spec.department,
            question=f"{spec.question}（申請 {application.code}）",
            asked_at=now,
        )
        for spec in found.verifications
    ]


def confirm_payment(
    store: ApplicationStore,
    payments: Callable[[], PaymentGateway],
    attachments: Attachments,
    mailer: Mailer | None,
    application_id: str,
    caller: Caller | None,
    now: datetime,
    link_base: str,
) -> Application:
    """After the payment page: ask the gateway (never trust the browser) and receive the application if paid.

    `payments` builds the gateway only when there is a payment to check."""
    who = require(caller, Role.RESIDENT)
    record = _load(store, application_id)
    application = record.application
    if application.owner != who.sub:
        raise NotFound(application_id=application_id)
    if application.status != "awaiting_payment" or application.payment is None:
        return application
    state = payments().checkout_state(application.payment.session_id)
    if not state.paid:
        return application
    return _receive_paid(store, record, _audit(who, "paid", now), attachments, mailer, now, link_base)


def record_payment(
    store: ApplicationStore,
    attachments: Attachments,
    application_id: str,
    now: datetime,
    mailer: Mailer | None,
    link_base: str,
) -> None:
    """A paid checkout of `application:<id>` learned from the gateway (webhook or reconciliation)."""
    record = store.record(application_id)
    if record is None or record.application.status != "awaiting_payment" or record.application.payment is None:
        return
    audit = AuditEntry(at=now, actor="payments", role="system", action="paid")
    _receive_paid(store, record, audit, attachments, mailer, now, link_base)


def _receive_paid(
    store: ApplicationStore,
    record: ApplicationRecord,
    audit: AuditEntry,
    attachments: Attachments,
    mailer: Mailer | None,
    now: datetime,
    link_base: str,
) -> Application:
    """The one transition from awaiting_payment to received, whichever path learned of the payment first."""
    application = record.application
    if application.payment is None:
        raise Conflict(application_id=application.id)
    found = form(application.procedure)
    found = present(found)
    changed = application.model_copy(
        update={
            "status": "received",
            "payment": application.payment.model_copy(update={"paid": True}),
            "submitted_at": now,
            "updated_at": now,
            "version": application.version + 1,
        }
    )
    try:
        store.save(
            changed, audit, expected_version=application.version, verifications=_verifications(found, application, now)
        )
    except Conflict:  # another path received it first
        fresh = store.get(application.id)
        fresh = present(fresh)
        return fresh
    for x in current_attachments(record).values():
        attachments.mark_referenced(x.key)
    notify(mailer, changed, link_base)
    return changed


def handle_payment_event(
    event: PaymentEvent,
    store: ApplicationStore,
    attachments: Attachments,
    gateway: PaymentGateway,
    mailer: Mailer | None,
    now: datetime,
    link_base: str,
) -> str:
    """A verified webhook event for an application fee: the checkout's state is read back from the gateway (the
    event only says that something happened), so a resident who pays and never returns is still received."""
    if not event.type.startswith("checkout.session."):
        return "ignored"
    session_id = str(event.object.get("id", ""))
    if not session_id:
        return "ignored"
    try:
        state = gateway.checkout_state(session_id)
    except UnknownCheckout:
        return "ignored"
    if not state.reference.startswith(REFERENCE_PREFIX):
        return "ignored"
    if not state.paid:
        return "unchanged"
    record_payment(store, attachments, state.reference.removeprefix(REFERENCE_PREFIX), now, mailer, link_base)
    return "received"


def reconcile_payments(
    store: ApplicationStore,
    attachments: Attachments,
    gateway: PaymentGateway,
    mailer: Mailer | None,
    now: datetime,
    after_minutes: int,
    link_base: str,
    limit: int = 100,
) -> dict[str, int]:
    """Scheduled: ask the gateway about each fee still unpaid after `after_minutes`, so a lost webhook never
    leaves a paid application waiting until its owner comes back."""
    counts = {"checked": 0, "received": 0}
    for application in store.awaiting_payment(now - timedelta(minutes=after_minutes), limit):
        if application.payment is None:
            continue
        counts["checked"] += 1
        try:
            state = gateway.checkout_state(application.payment.session_id)
        except UnknownCheckout:
            continue
        if state.paid and state.reference == f"{REFERENCE_PREFIX}{application.id}":
            record_payment(store, attachments, application.id, now, mailer, link_base)
            counts["received"] += 1
    return counts


# --- proxy input: the resident confirms ---------------------------------------------------------------------------


def confirm(
    store: ApplicationStore,
    attachments: Attachments,
    mailer: Mailer | None,
    application_id: str,
    caller: Caller | None,
    now: datetime,
    link_base: str,
) -> Application:
    """The resident confirms what staff typed: on their own account, or on the counter's confirmation tablet
    (signed in as the staff member, who hands it over); either way both names are recorded."""
    who = require(caller, Role.RESIDENT, Role.STAFF)
    record = _load(store, application_id)
    application = record.application
    if who.role is Role.RESIDENT and application.owner != who.sub:
        raise NotFound(application_id=application_id)
    if who.role is Role.STAFF and not _is_staff_of(who, application):
        raise Forbidden()
    if application.status != "awaiting_confirmation":
        raise NotEditable()
    confirmed_by = who.sub if who.role is Role.RESIDENT else f"resident-at-counter@{who.sub}"
    found = form(application.procedure)
    found = present(found)
    changed = application.model_copy(
        update={
            "status": "received",
            "confirmed_by": confirmed_by,
            "submitted_at": now,
            "updated_at": now,
            "version": application.version + 1,
        }
    )
    store.save(
        changed,
        _audit(who, "confirmed_by_resident", now, confirmed_by),
        expected_version=application.version,
        verifications=_verifications(found, application, now),
    )
    for x in current_attachments(record).values():
        attachments.mark_referenced(x.key)
    notify(mailer, changed, link_base)
    return changed


def accept_preregistration(
    store: ApplicationStore,
    mailer: Mailer | None,
    application_id: str,
    caller: Caller | None,
    now: datetime,
    link_base: str,
) -> Application:
    """Staff complete a pre-registration handed over by QR code (identity checked at the counter)."""
    who = require(caller, Role.STAFF)
    application = _load(store, application_id).application
    if not _is_staff_of(who, application):
        raise Forbidden()
    if application.status != "preregistered":
        raise NotEditable()
    found = form(application.procedure)
    found = present(found)
    _problems(found, application.answers, complete=True)
    changed = application.model_copy(
        update={
            "status": "received",
            "submitted_at": now,
            "updated_at": now,
            "confirmed_by": application.owner,
            "typed_by": application.owner,
            "version": application.version + 1,
        }
    )
    store.save(
        changed,
        _audit(who, "accepted_at_counter", now),
        expected_version=application.version,
        verifications=_verifications(found, application, now),
    )
    notify(mailer, changed, link_base)
    return changed


# --- staff decisions --------------------------------------------------------------------------------------------

TRANSITIONS: dict[str, tuple[frozenset[str], Status]] = {
    "start_review": (frozenset({"received"}), "in_review"),
    "approve": (frozenset({"received", "in_review"}), "approved"),
    "return": (frozenset({"received", "in_review"}), "returned"),
    "reject": (frozenset({"received", "in_review", "returned"}), "rejected"),
}


def decide(
    store: ApplicationStore,
    mailer: Mailer | None,
    application_id: str,
    request: DecisionRequest,
    caller: Caller | None,
    now: datetime,
    link_base: str,
) -> Application:
    who = require(caller, Role.STAFF)
    record = _load(store, application_id)
    application = record.application
    if who.department != application.department:
        raise Forbidden()
    allowed, to = TRANSITIONS[request.decision]
    if application.status not in allowed:
        raise NotEditable()
    reason = (request.reason or "").strip()
    if request.decision in ("return", "reject") and not reason:
        raise InvalidInput([(["body", "reason"], "field_missing")])
    if request.decision == "approve" and any(v.answer is None for v in record.verifications):
        raise VerificationPending()
    changed = application.model_copy(
        update={
            "status": to,
            "return_reason": reason or None,
            "decided_by": who.sub,
            "updated_at": now,
            "version": application.version + 1,
        }
    )
    store.save(changed, _audit(who, request.decision, now), expected_version=application.version)
    notify(mailer, changed, link_base)
    return changed


def issue_certificate(
    store: ApplicationStore,
    procedures: ProcedureStore,
    mailer: Mailer | None,
    application_id: str,
    caller: Caller | None,
    now: datetime,
    link_base: str,
) -> tuple[Application, bytes]:
    from madoguchi.applications.certificates import certificate_pdf

    who = require(caller, Role.STAFF)
    application = _load(store, application_id).application
    if who.department != application.department:
        raise Forbidden()
    procedure, found = _procedure(procedures, application.procedure)
    if not found.certificate:
        raise NotFound(application_id=application_id)
    if application.status not in ("approved", "issued"):
        raise NotEditable()
    pdf = certificate_pdf(application, procedure, found, now)
    if application.status == "approved":
        changed = application.model_copy(
            update={"status": "issued", "updated_at": now, "version": application.version + 1}
        )
        store.save(changed, _audit(who, "issued", now), expected_version=application.version)
        notify(mailer, changed, link_base)
        application = changed
    else:
        store.audit(application.id, _audit(who, "reissued_copy", now))
    return application, pdf


# --- internal verifications (instead of certificates the city issues) --------------------------------------------


def pending_verifications(
    store: ApplicationStore, caller: Caller | None, cursor: str | None
) -> list[tuple[str, Verification]]:
    who = require(caller, Role.STAFF)
    if not who.department:
        raise Forbidden()
    items, _ = store.pending_verifications(who.department, PAGE, cursor)
    return items


def answer_verification(
    store: ApplicationStore,
    application_id: str,
    verification_id: str,
    answer: str,
    caller: Caller | None,
    now: datetime,
) -> Verification:
    who = require(caller, Role.STAFF)
    record = _load(store, application_id)
    verification = next((v for v in record.verifications if v.id == verification_id), None)
    if verification is None:
        raise NotFound(verification_id=verification_id)
    if who.department != verification.department:
        raise Forbidden()
    if verification.answer is not None:
        raise Conflict()
    answered = verification.model_copy(update={"answer": answer.strip(), "answered_by": who.sub, "answered_at": now})
    store.answer_verification(application_id, answered, _audit(who, "verification_answered", now))
    return answered


# --- card-reader visits ---------------------------------------------------------------------------------------


def open_visit(store: ApplicationStore, request: VisitRequest, caller: Caller | None, now: datetime) -> VisitView:
    """A kiosk or a counter's card reader posts the card's 券面事項入力補助 data once per visit."""
    who = require(caller, Role.DEVICE, Role.STAFF, device_kind=DeviceKind.KIOSK)
    visit = Visit(
        id=_id("visit"),
        device=who.sub,
        name=request.name,
        address=request.address,
        date_of_birth=request.date_of_birth,
        sex=request.sex,
        created_at=now,
        expires_at=now + timedelta(minutes=VISIT_MINUTES),
    )
    store.put_visit(visit)
    return VisitView(id=visit.id, expires_at=visit.expires_at)


# --- notifications ------------------------------------------------------------------------------------------------

STATUS_MESSAGES = {
    s: f"application_status_{s}"
    for s in (
        "preregistered",
        "awaiting_confirmation",
        "awaiting_payment",
        "received",
        "in_review",
        "returned",
        "approved",
        "issued",
        "rejected",
    )
}


def notify(mailer: Mailer | None, application: Application, link_base: str) -> None:
    """Reference number, status and a link: never the form's data, never the reason (it is on the page)."""
    if mailer is None or not application.email or application.status not in STATUS_MESSAGES:
        return
    lang: Lang = application.lang if application.lang in LANGS else "ja"
    status = message(STATUS_MESSAGES[application.status], lang)
    subject = f"{message('application_mail_subject', lang)} {application.code}: {status}"
    link = f"{link_base}/apply/?id={application.id}"
    body = f"{message('application_mail_subject', lang)} {application.code}\n{status}\n{link}\n"
    mailer.send(application.email, subject, body)


def qr_svg(application: Application) -> str:
    """The reference as a QR code (SVG); it carries only the short code."""
    import io

    import segno

    out = io.BytesIO()
    segno.make(f"MADOGUCHI:{application.code}", error="m").save(out, kind="svg", scale=4, title=application.code)
    return out.getvalue().decode()


def encode_pdf(pdf: bytes) -> str:
    return base64.b64encode(pdf).decode()

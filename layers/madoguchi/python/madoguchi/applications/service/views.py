"""Reading applications: one application, a resident's own, a department's inbox, and how they are shown."""

from __future__ import annotations

import base64
from datetime import datetime, timedelta, timezone

from madoguchi.applications.forms import form, view
from madoguchi.applications.models import (
    Application,
    ApplicationAuditView,
    ApplicationPage,
    ApplicationReceipt,
    ApplicationSummary,
    AttachmentView,
    OnlineApplicationView,
)
from madoguchi.applications.service.access import LINK_SECONDS, PAGE, ApplicationDeps, fee, readable, refund_pending_yen
from madoguchi.applications.store import ApplicationRecord
from madoguchi.procedures.store import ProcedureStore
from madoguchi.shared.auth import Caller, Role, require
from madoguchi.shared.errors import Forbidden, NotFound, present
from madoguchi.shared.i18n import Lang, message, pick

ISSUER = "四日市市"
TOKYO = timezone(timedelta(hours=9), "JST")


def get(application_id: str, caller: Caller | None, deps: ApplicationDeps, now: datetime) -> ApplicationRecord:
    return readable(deps.store, application_id, caller, now)


def by_code(code: str, caller: Caller | None, deps: ApplicationDeps, now: datetime) -> ApplicationRecord:
    """Staff open a pre-registration from its QR code or typed short code."""
    who = require(caller, Role.STAFF)
    application_id = deps.store.by_code(code.strip().upper().replace("-", ""))
    if application_id is None:
        raise NotFound(code=code)
    return readable(deps.store, application_id, who, now)


def mine(
    cursor: str | None, caller: Caller | None, deps: ApplicationDeps, now: datetime, *, lang: Lang
) -> ApplicationPage:
    who = require(caller, Role.RESIDENT)
    items, next_cursor = deps.store.mine(who.sub, PAGE, cursor)
    return ApplicationPage(applications=[summary(a, deps.procedures, lang, now) for a in items], next=next_cursor)


def inbox(
    status: str | None,
    cursor: str | None,
    caller: Caller | None,
    deps: ApplicationDeps,
    now: datetime,
    *,
    lang: Lang,
) -> ApplicationPage:
    who = require(caller, Role.STAFF)
    if not who.department:
        raise Forbidden()
    items, next_cursor = deps.store.inbox(who.department, status, PAGE, cursor)
    return ApplicationPage(applications=[summary(a, deps.procedures, lang, now) for a in items], next=next_cursor)


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
        updated_at=a.updated_at,
        submitted_at=a.submitted_at,
        age_days=(now - a.submitted_at).days if a.submitted_at else None,
    )


def application_view(
    record: ApplicationRecord,
    deps: ApplicationDeps,
    *,
    lang: Lang,
    links: bool = False,
    qr_svg: str | None = None,
) -> OnlineApplicationView:
    """The application as its readers see it; `links` (staff only): short-lived links to valid attachments and
    the audit trail."""
    a = record.application
    procedure = deps.procedures.get(a.procedure)
    found = present(form(a.procedure))
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
        fee_yen=a.fee_yen or fee(procedure, found, a.answers),
        payment_url=a.payment.url if a.payment and not a.payment.paid else None,
        paid=bool(a.payment and a.payment.paid),
        paid_yen=sum(c.amount_yen for c in a.charges),
        refunded_yen=sum(c.refunded_yen for c in a.charges) - refund_pending_yen(a),
        refund_pending_yen=refund_pending_yen(a),
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
                reason_text=message(x.reason, lang) if x.reason else None,
                size=x.size,
                link=deps.files().link(x.key, LINK_SECONDS) if links and x.status == "valid" else None,
            )
            for x in sorted(record.attachments, key=lambda x: x.created_at)
        ],
        verifications=sorted(record.verifications, key=lambda v: v.asked_at),
        form=view(found, lang),
        qr_svg=qr_svg,
        audit=[ApplicationAuditView.model_validate(e.model_dump()) for e in sorted(record.audit, key=lambda e: e.at)]
        if links
        else None,
    )


def receipt(application_id: str, caller: Caller | None, deps: ApplicationDeps, *, lang: Lang) -> ApplicationReceipt:
    """The fee receipt of the resident's own application: every charge paid online, less refunds."""
    who = require(caller, Role.RESIDENT)
    a = deps.store.get(application_id)
    if a is None or a.owner != who.sub:
        raise NotFound(application_id=application_id)
    paid = [c for c in a.charges if c.amount_yen > 0]
    if not paid:
        raise NotFound(application_id=application_id)  # nothing was paid: there is no receipt
    paid_at = max((c.paid_at or a.submitted_at or a.updated_at) for c in paid)
    procedure = deps.procedures.get(a.procedure)
    return ApplicationReceipt(
        number=f"A{paid_at.astimezone(TOKYO):%Y%m%d}-{a.code}",
        code=a.code,
        procedure=pick(procedure.name, lang) if procedure else a.procedure,
        amount=sum(c.amount_yen for c in paid),
        refunded=sum(c.refunded_yen for c in paid) - refund_pending_yen(a),  # what has reached the card
        paid_at=paid_at,
        issuer=ISSUER,
    )


def qr_svg(application: Application) -> str:
    """The reference as a QR code (SVG); it carries only the short code."""
    import io

    import segno

    out = io.BytesIO()
    segno.make(f"MADOGUCHI:{application.code}", error="m").save(out, kind="svg", scale=4, title=application.code)
    return out.getvalue().decode()


def encode_pdf(pdf: bytes) -> str:
    return base64.b64encode(pdf).decode()

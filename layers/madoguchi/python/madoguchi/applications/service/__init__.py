"""Applications: who may do what, the resident's flow, card-reader prefill, QR hand-off, proxy input, internal
verifications instead of city certificates, staff decisions and notifications.

One module per part of the flow (docs/applications.md, "Code map"): access (ports, errors, who may read or
change), drafts, views, submit, payment, proxy, staff, verifications, visits, notices. Handlers import the
names below.
"""

from madoguchi.applications.service.access import (
    REFERENCE_PREFIX,
    VISIT_MINUTES,
    ApplicationDeps,
    AttachmentNotValid,
    CertificateSources,
    FeeUnpaid,
    FourEyes,
    NotDeletable,
    NotEditable,
    ResidentMustConfirm,
    VerificationPending,
    VisitExpired,
    current_attachments,
)
from madoguchi.applications.service.drafts import create, delete_draft, form_view, request_upload, update_answers
from madoguchi.applications.service.payment import (
    confirm_payment,
    handle_payment_event,
    reconcile_payments,
    record_payment,
)
from madoguchi.applications.service.proxy import accept_preregistration, confirm
from madoguchi.applications.service.staff import TRANSITIONS, CertificateRecordUnavailable, decide, issue_certificate
from madoguchi.applications.service.submit import submit
from madoguchi.applications.service.verifications import answer_verification, pending_verifications
from madoguchi.applications.service.views import (
    application_view,
    by_code,
    encode_pdf,
    get,
    inbox,
    mine,
    qr_svg,
    receipt,
    summary,
)
from madoguchi.applications.service.visits import open_visit

__all__ = [
    "REFERENCE_PREFIX",
    "TRANSITIONS",
    "VISIT_MINUTES",
    "ApplicationDeps",
    "AttachmentNotValid",
    "CertificateRecordUnavailable",
    "CertificateSources",
    "FeeUnpaid",
    "FourEyes",
    "NotDeletable",
    "NotEditable",
    "ResidentMustConfirm",
    "VerificationPending",
    "VisitExpired",
    "accept_preregistration",
    "answer_verification",
    "application_view",
    "by_code",
    "confirm",
    "confirm_payment",
    "create",
    "current_attachments",
    "decide",
    "delete_draft",
    "encode_pdf",
    "form_view",
    "get",
    "handle_payment_event",
    "inbox",
    "issue_certificate",
    "mine",
    "open_visit",
    "pending_verifications",
    "qr_svg",
    "receipt",
    "reconcile_payments",
    "record_payment",
    "request_upload",
    "submit",
    "summary",
    "update_answers",
]

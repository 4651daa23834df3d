"""Online applications (申請): a resident's answers to a procedure's form, its photo attachments, fee and status.

Statuses (see docs/applications.md):
draft → [awaiting_confirmation: staff typed it, the resident confirms] → [awaiting_payment] → received →
in_review → approved → issued, or returned (with a reason; the resident corrects and submits again) or rejected.
A counter-only procedure filled in at home is `preregistered`: staff open it by QR code or short code.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field, StrictBool, StrictInt, StrictStr

from madoguchi.applications.forms import FormView
from madoguchi.cases.models import Verification

Status = Literal[
    "draft",
    "preregistered",
    "awaiting_confirmation",
    "awaiting_payment",
    "received",
    "in_review",
    "returned",
    "approved",
    "issued",
    "rejected",
]
Channel = Literal["online", "counter", "kiosk"]
AttachmentStatus = Literal["pending", "valid", "rejected"]
Decision = Literal["start_review", "approve", "return", "reject"]
Answer = StrictStr | StrictInt | StrictBool
Answers = dict[str, Answer]

MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
ATTACHMENT_TYPES = ("image/jpeg", "image/png", "application/pdf")
# Statuses a resident may still change; the rest belong to staff.
EDITABLE: frozenset[str] = frozenset({"draft", "preregistered", "returned"})
FINAL: frozenset[str] = frozenset({"issued", "rejected"})


class Attachment(BaseModel):
    id: str
    kind: str  # the form's attachment spec id
    content_type: str
    status: AttachmentStatus = "pending"
    reason: str | None = None
    key: str  # where the upload lands (uploads/...); after the check, the clean copy's key (files/...)
    size: int | None = None
    created_at: datetime
    checked_at: datetime | None = None


class Payment(BaseModel):
    """The checkout the resident is sent to now (for the amount still due)."""

    session_id: str
    url: str
    amount_yen: int
    paid: bool = False


class Charge(BaseModel):
    """One paid checkout and what of it was refunded (a fee lowered on resubmit, a rejected application)."""

    session_id: str
    payment_intent_id: str | None = None
    amount_yen: int
    refunded_yen: int = 0
    paid_at: datetime | None = None


class Refund(BaseModel):
    """A refund decided with a change (a fee lowered on resubmit, a rejected application), sent by the outbox
    worker under its own idempotency key; `sent_at` once Stripe has taken it (until then: on its way)."""

    key: str = Field(description="Stripe idempotency key, the same on every try")
    payment_intent_id: str
    amount_yen: int
    decided_at: datetime
    sent_at: datetime | None = None


class Application(BaseModel):
    id: str
    code: str = Field(description="Short reference number, also in the QR code")
    procedure: str
    department: str
    channel: Channel
    status: Status
    owner: str | None = Field(default=None, description="The resident it belongs to; None without an account")
    answers: dict[str, Any] = Field(default_factory=dict)
    prefilled: list[str] = Field(default_factory=list, description="Fields filled from what the city knows")
    fee_yen: int = 0
    payment: Payment | None = None
    charges: list[Charge] = Field(default_factory=list, description="Paid checkouts (and their refunds)")
    refunds: list[Refund] = Field(default_factory=list, description="Refunds decided, each sent once by the worker")
    lang: str = "ja"
    email: str | None = None
    typed_by: str | None = None  # staff who typed it (proxy input)
    typed_at: str | None = None  # their department: typed at a front counter (one-stop) counts on channel onestop
    confirmed_by: str | None = None  # who confirmed the proxy input: the resident, or "resident-at-counter"
    visit_id: str | None = None
    return_reason: str | None = None
    decided_by: str | None = None
    created_at: datetime
    updated_at: datetime
    submitted_at: datetime | None = None
    received_at: datetime | None = Field(default=None, description="First receipt (kept when resubmitted)")
    review_started_at: datetime | None = Field(default=None, description="When staff started the review")
    version: int = 0


class AuditEntry(BaseModel):
    """Append-only: who read or changed what of an application, and when (never updated, never deleted)."""

    at: datetime
    actor: str
    role: str
    action: str
    department: str | None = None
    detail: str = ""


class Visit(BaseModel):
    """A card-reader visit: the card's 券面事項入力補助 data, kept until the visit expires."""

    id: str
    device: str
    name: str
    address: str
    date_of_birth: str
    sex: str
    created_at: datetime
    expires_at: datetime


class Resident(BaseModel):
    """What the city already knows of a signed-in resident (住民記録), used to prefill forms."""

    id: str
    name: str
    address: str
    date_of_birth: str
    sex: str
    phone: str | None = None
    email: str | None = None
    lang: str = "ja"


# --- requests ---------------------------------------------------------------------------------------------------


class CreateApplication(BaseModel):
    procedure: str = Field(min_length=1, max_length=64)
    answers: dict[str, Answer] = Field(default_factory=dict)
    visit_id: str | None = Field(default=None, max_length=64, description="Card-reader visit to prefill from")
    proxy: bool = Field(default=False, description="Staff typing for a resident at the counter")
    for_resident: str | None = Field(default=None, max_length=64, description="Proxy input: the resident's id")


class UpdateAnswers(BaseModel):
    answers: dict[str, Answer]
    complete: bool = Field(
        default=False,
        description="Check the page as a step before 'check your answers': every required answer and attachment "
        "present and accepted, else 422 listing each (nothing saved then)",
    )
    step: list[str] = Field(
        default_factory=list,
        max_length=100,
        description="Check one question page: the ids of its questions and files, each required one answered or "
        "present and accepted, else 422 listing each (nothing saved then). The other pages are not checked.",
    )


class UploadRequest(BaseModel):
    kind: str = Field(min_length=1, max_length=64)
    content_type: Literal["image/jpeg", "image/png", "application/pdf"]


class UploadTicket(BaseModel):
    attachment_id: str
    url: str
    fields: dict[str, str] = Field(description="Form fields to post with the file (field name `file`, last)")
    max_bytes: int
    expires_in: int


class SubmitRequest(BaseModel):
    return_url: str | None = Field(default=None, max_length=500, description="Where the payment page sends back")


class ConfirmRequest(BaseModel):
    confirm: Literal[True]


class DecisionRequest(BaseModel):
    decision: Decision
    reason: str | None = Field(default=None, max_length=500)


class VisitRequest(BaseModel):
    """券面事項入力補助 data: the four facts printed on the card. No individual number."""

    name: str = Field(min_length=1, max_length=60)
    address: str = Field(min_length=1, max_length=200)
    date_of_birth: str = Field(pattern=r"^\d{4}-\d{2}-\d{2}$")
    sex: Literal["female", "male"]


class AnswerRequest(BaseModel):
    answer: str = Field(min_length=1, max_length=1000)


# --- views ------------------------------------------------------------------------------------------------------


class AttachmentView(BaseModel):
    id: str
    kind: str
    content_type: str
    status: AttachmentStatus
    reason: str | None = Field(description="Why it was not accepted (a code)")
    reason_text: str | None = Field(default=None, description="The same, in the caller's language")
    size: int | None
    link: str | None = Field(default=None, description="Short-lived signed link (staff, valid attachments only)")


class ApplicationAuditView(AuditEntry):
    """An application's audit entry as staff read it (its own schema name: cases have an AuditEntry too)."""


class OnlineApplicationView(BaseModel):
    id: str
    code: str
    procedure: str
    procedure_name: str
    department: str
    channel: Channel
    status: Status
    owner: str | None
    answers: dict[str, Any]
    prefilled: list[str]
    fee_yen: int
    payment_url: str | None
    paid: bool
    paid_yen: int = Field(default=0, description="Paid over all checkouts")
    refunded_yen: int = Field(default=0, description="Refunded of what was paid (sent to the card)")
    refund_pending_yen: int = Field(default=0, description="Refund decided and on its way to the card")
    typed_by: str | None
    confirmed_by: str | None
    return_reason: str | None
    created_at: datetime
    updated_at: datetime
    submitted_at: datetime | None
    attachments: list[AttachmentView]
    verifications: list[Verification]
    form: FormView
    qr_svg: str | None = Field(default=None, description="QR code of the reference (SVG), once submitted")
    audit: list[ApplicationAuditView] | None = Field(
        default=None, description="Who read or changed it and when, oldest first (staff of the department only)"
    )


class ApplicationSummary(BaseModel):
    id: str
    code: str
    procedure: str
    procedure_name: str
    status: Status
    channel: Channel
    created_at: datetime
    updated_at: datetime | None = None
    submitted_at: datetime | None
    age_days: int | None = None


class ApplicationReceipt(BaseModel):
    """The receipt (領収書) of an application's fee: what was paid online for it, less any refund."""

    number: str
    code: str = Field(description="The application's reference number")
    procedure: str
    amount: int = Field(description="Yen paid")
    refunded: int
    paid_at: datetime
    issuer: str


class ApplicationPage(BaseModel):
    applications: list[ApplicationSummary]
    next: str | None = None


class VerificationItem(BaseModel):
    application_id: str
    verification: Verification


class VerificationPage(BaseModel):
    verifications: list[VerificationItem]
    next: str | None = None


class VisitView(BaseModel):
    id: str
    expires_at: datetime


class OutboxMail(BaseModel):
    to: str
    subject: str
    body: str
    sent_at: datetime

"""Online applications for residents, proxy input by staff and certificate requests from kiosks.

GET /procedures/{id}/form: anyone. POST /applications: a resident (own draft), staff of the owning department
or a front counter (proxy or counter input), a kiosk (certificate request from a card-reader visit).
GET/PATCH /applications/{id}, attachments, submit: the owner, the staff who typed it, the kiosk that made it.
POST /applications/{id}/payment: the owner. POST /applications/{id}/confirm: the owner, or staff on the
counter's confirmation tablet. GET /me/applications: residents. POST /visits: kiosks and counter staff.
"""

from __future__ import annotations

import base64
from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.types import OpenAPIResponse
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from madoguchi.applications import service as applications
from madoguchi.applications.forms import FormView
from madoguchi.applications.models import (
    Application,
    ApplicationPage,
    ApplicationReceipt,
    ConfirmRequest,
    CreateApplication,
    OnlineApplicationView,
    SubmitRequest,
    UpdateAnswers,
    UploadRequest,
    UploadTicket,
    VisitRequest,
    VisitView,
)
from madoguchi.applications.receipt import receipt_pdf
from madoguchi.applications.service import ApplicationDeps
from madoguchi.shared.api import (
    CONFLICT,
    NOT_FOUND,
    SECURITY,
    SIGNED_IN,
    ErrorBody,
    IdempotencyKey,
    current_caller,
    make_resolver,
    request_lang,
)
from madoguchi.shared.clock import now
from madoguchi.shared.errors import present
from madoguchi.wiring import application_store, attachments, device_gate, payment_gateway, procedure_store

logger = Logger()
metrics = Metrics()
app = make_resolver(device_gate=device_gate())  # revoked devices are refused here

PDF = "application/pdf"

SIGNED_IN_APP = {**SIGNED_IN, **NOT_FOUND}
INVALID: dict[int, OpenAPIResponse] = {
    422: {
        "description": "A field is not valid (path and translated message per field)",
        "content": {"application/json": {"model": ErrorBody}},
    }
}


def deps() -> ApplicationDeps:
    """The ports, built once per container (the gateway only when a fee is paid or checked)."""
    return ApplicationDeps(
        store=application_store(),
        procedures=procedure_store(),
        attachments=attachments(),
        payments=payment_gateway,
    )


def view(application: Application, with_links: bool = False) -> OnlineApplicationView:
    record = present(application_store().record(application.id))
    qr = applications.qr_svg(record.application) if record.application.status != "draft" else None
    return applications.application_view(record, deps(), lang=request_lang(app), links=with_links, qr_svg=qr)


@app.get(
    "/procedures/<procedureId>/form",
    summary="A procedure's form: fields, rules, help, attachments",
    tags=["applications"],
    responses={**NOT_FOUND, 200: {"description": "The form in the caller's language"}},
)
def get_form(procedureId: str, lang: str | None = None) -> FormView:
    result: FormView = applications.form_view(procedureId, deps(), lang=request_lang(app))
    return result


@app.post(
    "/applications",
    summary="Start an application (draft), prefilled from the city's records or a card-reader visit",
    description="Idempotency-Key header: a retried request with the same key returns the first draft.",
    tags=["applications"],
    security=SECURITY,
    responses={**SIGNED_IN_APP, **INVALID, 200: {"description": "The draft"}},
)
def create(body: CreateApplication, idempotency_key: IdempotencyKey = None) -> OnlineApplicationView:
    created = applications.create(
        body, current_caller(app), deps(), now(), lang=request_lang(app), idempotency_key=idempotency_key
    )
    metrics.add_metric(name="ApplicationStarted", unit="Count", value=1)
    return view(created)


@app.get(
    "/applications/<applicationId>",
    summary="An application with its attachments, verifications and status",
    tags=["applications"],
    security=SECURITY,
    responses={**SIGNED_IN_APP, 200: {"description": "The application"}},
)
def get_application(applicationId: str, lang: str | None = None) -> OnlineApplicationView:
    record = applications.get(applicationId, current_caller(app), deps(), now())
    caller = current_caller(app)
    staff = caller is not None and caller.role.value == "staff"
    return view(record.application, with_links=staff)


@app.patch(
    "/applications/<applicationId>",
    summary="Save answers of a draft (save and return later)",
    tags=["applications"],
    security=SECURITY,
    responses={**SIGNED_IN_APP, **CONFLICT, **INVALID, 200: {"description": "The draft"}},
)
def update(applicationId: str, body: UpdateAnswers) -> OnlineApplicationView:
    changed = applications.update_answers(applicationId, body, current_caller(app), deps(), now())
    return view(changed)


@app.delete(
    "/applications/<applicationId>",
    summary="Delete a draft of one's own (with its answers and files); a submitted application stays",
    tags=["applications"],
    security=SECURITY,
    responses={**SIGNED_IN_APP, **CONFLICT, 204: {"description": "Deleted"}},
)
def delete(applicationId: str) -> Response[str]:
    applications.delete_draft(applicationId, current_caller(app), deps(), now())
    metrics.add_metric(name="ApplicationDraftDeleted", unit="Count", value=1)
    return Response(status_code=204, body="")


@app.get(
    "/applications/<applicationId>/receipt",
    summary="The fee receipt (領収書) of one's own application",
    tags=["applications"],
    security=SECURITY,
    responses={**SIGNED_IN_APP, 200: {"description": "The receipt; 404 when nothing was paid"}},
)
def receipt(applicationId: str, lang: str | None = None) -> ApplicationReceipt:
    return applications.receipt(applicationId, current_caller(app), deps(), lang=request_lang(app))


@app.get(
    "/applications/<applicationId>/receipt.pdf",
    summary="The fee receipt (領収書) as a PDF",
    tags=["applications"],
    security=SECURITY,
    responses={**SIGNED_IN_APP, 200: {"description": "PDF", "content": {"application/pdf": {}}}},
)
def receipt_as_pdf(applicationId: str) -> Response[str]:
    found = applications.receipt(applicationId, current_caller(app), deps(), lang="ja")
    # Base64 text flagged in lambda_handler: API Gateway turns it back into bytes (binary media type).
    return Response(
        status_code=200,
        content_type=PDF,
        body=base64.b64encode(receipt_pdf(found)).decode(),
        headers={"Content-Disposition": f'inline; filename="receipt-{found.number}.pdf"'},
    )


@app.post(
    "/applications/<applicationId>/attachments",
    summary="Presigned upload of a photo or PDF (at most 10 MB); checked after upload",
    description="With an `Idempotency-Key`, a retry by the same caller is the same attachment with a fresh upload "
    "link while its file has not arrived, and 409 once the file has been checked.",
    tags=["applications"],
    security=SECURITY,
    responses={**SIGNED_IN_APP, **CONFLICT, **INVALID, 200: {"description": "Where and how to post the file"}},
)
def upload(applicationId: str, body: UploadRequest, idempotency_key: IdempotencyKey = None) -> UploadTicket:
    return applications.request_upload(
        applicationId, body, current_caller(app), deps(), now(), idempotency_key=idempotency_key
    )


@app.post(
    "/applications/<applicationId>/submit",
    summary="Submit (Idempotency-Key header: the same key submits once); a fee leads to the payment page",
    description="`return_url` must be a page of this site (same origin as the deployment's SITE_URL), else 422.",
    tags=["applications"],
    security=SECURITY,
    responses={**SIGNED_IN_APP, **CONFLICT, **INVALID, 200: {"description": "The submitted application"}},
)
def submit(applicationId: str, body: SubmitRequest, idempotency_key: IdempotencyKey = None) -> OnlineApplicationView:
    submitted = applications.submit(
        applicationId, body, current_caller(app), deps(), now(), idempotency_key=idempotency_key
    )
    metrics.add_metric(name="ApplicationSubmitted", unit="Count", value=1)
    return view(submitted)


@app.post(
    "/applications/<applicationId>/payment",
    summary="After the payment page: check the payment with the gateway and receive the application",
    tags=["applications"],
    security=SECURITY,
    responses={**SIGNED_IN_APP, 200: {"description": "The application"}},
)
def payment(applicationId: str) -> OnlineApplicationView:
    paid = applications.confirm_payment(applicationId, current_caller(app), deps(), now())
    return view(paid)


@app.post(
    "/applications/<applicationId>/confirm",
    summary="The resident confirms what staff typed (proxy input)",
    tags=["applications"],
    security=SECURITY,
    responses={**SIGNED_IN_APP, **CONFLICT, 200: {"description": "The received application"}},
)
def confirm(applicationId: str, body: ConfirmRequest) -> OnlineApplicationView:
    confirmed = applications.confirm(applicationId, current_caller(app), deps(), now())
    return view(confirmed)


@app.get(
    "/me/applications",
    summary="The caller's own applications, newest first",
    tags=["applications"],
    security=SECURITY,
    responses={**SIGNED_IN, 200: {"description": "A page of applications"}},
)
def my_applications(cursor: str | None = None, lang: str | None = None) -> ApplicationPage:
    return applications.mine(cursor, current_caller(app), deps(), now(), lang=request_lang(app))


@app.post(
    "/visits",
    summary="Card-reader data (券面事項入力補助) for one visit: forms opened during it are prefilled",
    description="Send an `Idempotency-Key` header (one per card read): a retry with the same key from the same "
    "device returns the first visit instead of storing the card data twice.",
    tags=["applications"],
    security=SECURITY,
    responses={**SIGNED_IN, 200: {"description": "The visit and when it expires"}},
)
def open_visit(body: VisitRequest, idempotency_key: IdempotencyKey = None) -> VisitView:
    return applications.open_visit(body, current_caller(app), deps(), now(), idempotency_key=idempotency_key)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    result = app.resolve(event, context)
    content_type = (result.get("multiValueHeaders") or {}).get("Content-Type") or [
        (result.get("headers") or {}).get("Content-Type")
    ]
    if PDF in content_type and result.get("statusCode") == 200:
        result["isBase64Encoded"] = True
    return result

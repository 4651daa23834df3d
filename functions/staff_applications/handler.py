"""Staff console for applications; every route is for staff, and every read or change is audit-logged.

GET /staff/applications: the caller's department inbox. GET /staff/applications/by-code/{code}: QR hand-off.
POST .../decision, .../accept, .../certificate: staff of the owning department (front counters may accept).
GET /staff/verifications, POST .../verifications/{id}/answer: staff of the asked department.
"""

from __future__ import annotations

import base64
from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from madoguchi.applications import service as applications
from madoguchi.applications.models import (
    AnswerRequest,
    ApplicationPage,
    DecisionRequest,
    OnlineApplicationView,
    Status,
    VerificationItem,
    VerificationPage,
)
from madoguchi.applications.service import ApplicationDeps, CertificateSources
from madoguchi.cases.models import Verification
from madoguchi.shared.api import CONFLICT, NOT_FOUND, SECURITY, SIGNED_IN, current_caller, make_resolver, request_lang
from madoguchi.shared.clock import now
from madoguchi.shared.errors import present
from madoguchi.wiring import (
    application_store,
    attachments,
    certificate_registry,
    procedure_store,
    resident_directory,
    resident_records,
)

logger = Logger()
metrics = Metrics()
app = make_resolver()

SIGNED_IN_APP = {**SIGNED_IN, **NOT_FOUND}


def deps() -> ApplicationDeps:
    """The ports, built once per container. A rejected fee's refund, tags and e-mails are owed as effects."""
    return ApplicationDeps(
        store=application_store(),
        procedures=procedure_store(),
        attachments=attachments(),  # links to the files (read only)
        issuing=CertificateSources(
            records=resident_records(), directory=resident_directory(), registry=certificate_registry()
        ),
    )


def view(application_id: str) -> OnlineApplicationView:
    record = present(application_store().record(application_id))
    qr = applications.qr_svg(record.application)
    return applications.application_view(record, deps(), lang=request_lang(app), links=True, qr_svg=qr)


@app.get(
    "/staff/applications",
    summary="The department's applications by status (paginated)",
    tags=["staff"],
    security=SECURITY,
    responses={**SIGNED_IN, 200: {"description": "A page of the inbox"}},
)
def inbox(status: Status | None = None, cursor: str | None = None, lang: str | None = None) -> ApplicationPage:
    return applications.inbox(status, cursor, current_caller(app), deps(), now(), lang=request_lang(app))


@app.get(
    "/staff/applications/by-code/<code>",
    summary="Open an application from its QR code or typed short code",
    tags=["staff"],
    security=SECURITY,
    responses={**SIGNED_IN_APP, 200: {"description": "The application"}},
)
def by_code(code: str, lang: str | None = None) -> OnlineApplicationView:
    record = applications.by_code(code, current_caller(app), deps(), now())
    return view(record.application.id)


@app.post(
    "/staff/applications/<applicationId>/decision",
    summary="Start review, approve, return with a reason, or reject",
    tags=["staff"],
    security=SECURITY,
    responses={**SIGNED_IN_APP, **CONFLICT, 200: {"description": "The application"}},
)
def decide(applicationId: str, body: DecisionRequest) -> OnlineApplicationView:
    applications.decide(applicationId, body, current_caller(app), deps(), now())
    metrics.add_metric(name=f"Application{body.decision.title().replace('_', '')}", unit="Count", value=1)
    return view(applicationId)


@app.post(
    "/staff/applications/<applicationId>/accept",
    summary="Receive a pre-registration handed over by QR code (identity checked at the counter)",
    tags=["staff"],
    security=SECURITY,
    responses={**SIGNED_IN_APP, **CONFLICT, 200: {"description": "The application"}},
)
def accept(applicationId: str) -> OnlineApplicationView:
    applications.accept_preregistration(applicationId, current_caller(app), deps(), now())
    return view(applicationId)


@app.post(
    "/staff/applications/<applicationId>/certificate",
    summary="Issue the certificate as a PDF (marks the application issued)",
    tags=["staff"],
    security=SECURITY,
    responses={
        **SIGNED_IN_APP,
        **CONFLICT,
        200: {
            "description": "The certificate",
            "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
        },
    },
)
def certificate(applicationId: str) -> Response[str]:
    issued, pdf = applications.issue_certificate(applicationId, current_caller(app), deps(), now())
    return Response(
        status_code=200,
        content_type="application/pdf",
        body=base64.b64encode(pdf).decode(),  # marked base64 for API Gateway in lambda_handler
        headers={"Content-Disposition": f'inline; filename="{issued.code}.pdf"', "Cache-Control": "no-store"},
        compress=False,
    )


@app.get(
    "/staff/verifications",
    summary="Open internal verifications asked of the caller's department",
    tags=["staff"],
    security=SECURITY,
    responses={**SIGNED_IN, 200: {"description": "Open verifications"}},
)
def verifications(cursor: str | None = None) -> VerificationPage:
    items = applications.pending_verifications(cursor, current_caller(app), deps())
    return VerificationPage(verifications=[VerificationItem(application_id=a, verification=v) for a, v in items])


@app.post(
    "/staff/applications/<applicationId>/verifications/<verificationId>/answer",
    summary="Answer an internal verification (instead of the resident attaching a city certificate)",
    tags=["staff"],
    security=SECURITY,
    responses={**SIGNED_IN_APP, **CONFLICT, 200: {"description": "The answered verification"}},
)
def answer(applicationId: str, verificationId: str, body: AnswerRequest) -> Verification:
    return applications.answer_verification(applicationId, verificationId, body, current_caller(app), deps(), now())


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    result = app.resolve(event, context)
    if result.get("multiValueHeaders", {}).get("Content-Type") == ["application/pdf"]:
        result["isBase64Encoded"] = True  # the PDF body is base64 (binary media type in API Gateway)
    return result

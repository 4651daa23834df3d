"""Certificates in the city's register. GET /certificates/{issueNumber}?code=…: anyone holding a printed
certificate checks it (no sign-in; unknown number and wrong code both answer 404; throttled at the stage).
GET /staff/certificates/{issueNumber}: staff of the issuing office read its register entry (audited).
POST /staff/certificates/{issueNumber}/revoke: staff of the issuing office withdraw one, saying why (audited)."""

from __future__ import annotations

from typing import Annotated, Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.event_handler.openapi.params import Query
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from madoguchi.certificates import service as certificates
from madoguchi.certificates.models import CertificateCheck, RevokeRequest, StaffCertificate
from madoguchi.shared.api import NOT_FOUND, SECURITY, SIGNED_IN, current_caller, make_resolver, request_lang
from madoguchi.shared.clock import now
from madoguchi.wiring import certificate_registry

logger = Logger()
metrics = Metrics()
app = make_resolver()


def deps() -> certificates.CertificateDeps:
    return certificates.CertificateDeps(registry=certificate_registry())


@app.get(
    "/certificates/<issueNumber>",
    summary="Check a printed certificate: genuine or not, its kind, day of issue, office, valid or revoked",
    description=(
        "Public. The answer names no person. An unknown issue number, a wrong code and a malformed value all "
        "answer 404 alike (certificate_not_found), so trying numbers tells nothing; the route is throttled."
    ),
    tags=["certificates"],
    responses={
        **NOT_FOUND,
        200: {"description": "The certificate was issued by the city (status says whether it was revoked since)"},
    },
)
def check(
    issueNumber: str,
    code: Annotated[str, Query(max_length=40, description="The verification code printed on the certificate")] = "",
) -> CertificateCheck:
    found = certificates.check(issueNumber, code, request_lang(app), deps())
    metrics.add_metric(name="CertificateChecks", unit="Count", value=1)
    return found


@app.get(
    "/staff/certificates/<issueNumber>",
    summary="A certificate's register entry for staff of the issuing office (no code needed; the read is audited)",
    description=(
        "Number, kind, title, office, channel, time of issue, what it was issued for (application or kiosk order), "
        "status and revocation (when, by whom, why), and the audit trail. Another department 403; an unknown or "
        "malformed number 404 (certificate_not_found)."
    ),
    tags=["certificates"],
    security=SECURITY,
    responses={**SIGNED_IN, **NOT_FOUND, 200: {"description": "The register entry"}},
)
def look_up(issueNumber: str) -> StaffCertificate:
    return certificates.look_up(issueNumber, current_caller(app), request_lang(app), deps(), now())


@app.post(
    "/staff/certificates/<issueNumber>/revoke",
    summary="Revoke a certificate (staff of the issuing office), saying why: the public check then says revoked",
    description=(
        "The reason (1–200 characters) is kept with the revocation for staff; the public check never shows it. "
        "A second revocation keeps the first and answers it."
    ),
    tags=["certificates"],
    security=SECURITY,
    responses={**SIGNED_IN, **NOT_FOUND, 200: {"description": "The register entry, revoked"}},
)
def revoke(issueNumber: str, body: RevokeRequest) -> StaffCertificate:
    revoked = certificates.revoke(issueNumber, body, current_caller(app), request_lang(app), deps(), now())
    # the number only: the reason may name a person
    logger.info("certificate revoked", extra={"issue_number": revoked.issue_number})
    metrics.add_metric(name="CertificatesRevoked", unit="Count", value=1)
    return revoked


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)

"""POST /payments/stripe/webhook: anyone may call it, so nothing is believed until the Stripe-Signature header
verifies over the raw body with the webhook secret (and its timestamp is within tolerance): a forged, tampered
or stale delivery gets 400. Each verified event is processed exactly once (madoguchi.payments)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from madoguchi.applications import service as applications
from madoguchi.applications.service import ApplicationDeps
from madoguchi.payments.store import InvalidSignature, PaymentEvent
from madoguchi.payments.webhook import InProgress, WebhookAck, process_once
from madoguchi.reservations import service as reservations
from madoguchi.shared import clock
from madoguchi.shared.api import ErrorBody, make_resolver
from madoguchi.shared.errors import Conflict, DomainError
from madoguchi.wiring import (
    application_store,
    payment_gateway,
    procedure_store,
    reservation_store,
)


class SignatureRejected(DomainError):
    status = 400
    code = "webhook_signature_invalid"


def application_deps() -> ApplicationDeps:
    return ApplicationDeps(
        store=application_store(),
        procedures=procedure_store(),
        payments=payment_gateway,  # a fee received owes its tags and e-mail as effects (no S3 or SES here)
    )


logger = Logger()
metrics = Metrics()
app = make_resolver()


@app.post(
    "/payments/stripe/webhook",
    summary="Stripe webhook (signed by Stripe)",
    tags=["payments"],
    responses={
        200: {"description": "Processed (or processed before: duplicates are acknowledged)"},
        400: {"description": "Signature missing or not valid", "content": {"application/json": {"model": ErrorBody}}},
        409: {
            "description": "Being processed by another delivery",
            "content": {"application/json": {"model": ErrorBody}},
        },
    },
)
def webhook() -> WebhookAck:
    signature = app.current_event.headers.get("Stripe-Signature")
    gateway = payment_gateway()
    try:
        event = gateway.parse_event(app.current_event.body or "", signature or "")
    except InvalidSignature:
        metrics.add_metric(name="WebhookRejected", unit="Count", value=1)
        raise SignatureRejected() from None

    def handle(verified: PaymentEvent) -> str:
        metadata = verified.object.get("metadata") or {}
        if str(metadata.get("reference", "")).startswith(applications.REFERENCE_PREFIX):
            return applications.handle_payment_event(verified, application_deps(), clock.now())
        return reservations.handle_event(
            verified,
            reservations.ReservationDeps(store=reservation_store(), payments=gateway),
            clock.now(),
        )

    try:
        ack = process_once(event, handle, app.lambda_context)
    except InProgress:
        raise Conflict() from None
    logger.info("Webhook processed", extra={"event_id": event.id, "type": event.type, "outcome": ack.outcome})
    return ack


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)

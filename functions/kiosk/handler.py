"""Kiosk self-service for enrolled kiosks only (device token with device_kind=kiosk): a session with a challenge,
then the My Number card's answer (JPKI signature, certificate and the basic four items from the card bridge)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.event_handler.openapi.types import OpenAPIResponse
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from madoguchi.kiosk import service as kiosk
from madoguchi.kiosk.models import Authenticated, AuthenticateRequest, OrderRequest, OrderView, SessionStarted
from madoguchi.procedures.service import ProcedureDeps
from madoguchi.shared.api import (
    CONFLICT,
    NOT_FOUND,
    SECURITY,
    SIGNED_IN,
    ErrorBody,
    IdempotencyKey,
    current_caller,
    make_resolver,
)
from madoguchi.shared.clock import now
from madoguchi.wiring import (
    certificate_registry,
    device_gate,
    family_registers,
    jpki_trust,
    kiosk_orders,
    kiosk_sessions,
    payment_gateway,
    procedure_store,
    resident_directory,
    resident_records,
)

logger = Logger()
metrics = Metrics()
app = make_resolver(device_gate=device_gate())  # revoked devices are refused here

UNAVAILABLE: dict[int, OpenAPIResponse] = {
    503: {
        "description": "No JPKI CA configured for this deployment (kiosk_unavailable)",
        "content": {"application/json": {"model": ErrorBody}},
    }
}


def deps() -> kiosk.KioskDeps:
    return kiosk.KioskDeps(sessions=kiosk_sessions(), residents=resident_directory(), trust=jpki_trust())


@app.post(
    "/kiosk/sessions",
    summary="Open a kiosk session: a random challenge for the card to sign (enrolled kiosks)",
    description="With an `Idempotency-Key`, a retry by the same kiosk answers the same session and challenge while "
    "the challenge waits for the card; once it has been answered or has expired, 409.",
    tags=["kiosk"],
    security=SECURITY,
    responses={
        **SIGNED_IN,
        **CONFLICT,
        **UNAVAILABLE,
        200: {"description": "The session and its challenge (2 minutes)"},
    },
)
def start_session(idempotency_key: IdempotencyKey = None) -> SessionStarted:
    return kiosk.start_session(current_caller(app), deps(), now(), idempotency_key=idempotency_key)


@app.post(
    "/kiosk/sessions/<sessionId>/authenticate",
    summary="Authenticate the session with the card's signature, certificate and basic four items (once)",
    description=(
        "The certificate must chain to a configured JPKI CA and not be on its CRL; the signature must be the "
        "card's over this session's challenge; the four items must match one resident record. 401 "
        "`kiosk_challenge_expired`, 403 `kiosk_card_refused` (with the reason) or `kiosk_resident_not_matched`, "
        "409 `kiosk_challenge_used` otherwise; the challenge is spent by any answer that gets that far."
    ),
    tags=["kiosk"],
    security=SECURITY,
    responses={**SIGNED_IN, **NOT_FOUND, **CONFLICT, **UNAVAILABLE, 200: {"description": "Authenticated"}},
)
def authenticate(sessionId: str, body: AuthenticateRequest) -> Authenticated:
    result = kiosk.authenticate(sessionId, body, current_caller(app), deps(), now())
    metrics.add_metric(name="KioskAuthentications", unit="Count", value=1)
    return result


def order_deps() -> kiosk.OrderDeps:
    return kiosk.OrderDeps(
        sessions=kiosk_sessions(),
        orders=kiosk_orders(),
        records=resident_records(),
        registers=family_registers(),
        terminal=payment_gateway(),
        procedures=ProcedureDeps(store=procedure_store()),
        certificates=certificate_registry(),
    )


NO_TERMINAL: dict[int, OpenAPIResponse] = {
    503: {
        "description": "No card terminal registered for this kiosk (kiosk_no_terminal)",
        "content": {"application/json": {"model": ErrorBody}},
    }
}


@app.post(
    "/kiosk/sessions/<sessionId>/orders",
    summary="Order a certificate in an authenticated session; the fee goes to the kiosk's card terminal",
    description=(
        "Requires `Idempotency-Key`: a retry with the same key returns the same order and never starts a second "
        "payment. The order waits for the card on the terminal (`awaiting_payment`); poll the order for the result."
    ),
    tags=["kiosk"],
    security=SECURITY,
    responses={**SIGNED_IN, **NOT_FOUND, **CONFLICT, **NO_TERMINAL, 200: {"description": "The order"}},
)
def place_order(sessionId: str, body: OrderRequest, idempotency_key: IdempotencyKey = None) -> OrderView:
    result = kiosk.place_order(sessionId, body, idempotency_key, current_caller(app), order_deps(), now())
    metrics.add_metric(name="KioskOrders", unit="Count", value=1)
    return result


@app.get(
    "/kiosk/sessions/<sessionId>/orders/<orderId>",
    summary="An order's state, settled against the terminal; the certificate PDF (base64) once paid",
    tags=["kiosk"],
    security=SECURITY,
    responses={**SIGNED_IN, **NOT_FOUND, **CONFLICT, 200: {"description": "The order"}},
)
def get_order(sessionId: str, orderId: str) -> OrderView:
    return kiosk.get_order(sessionId, orderId, current_caller(app), order_deps(), now())


@app.post(
    "/kiosk/sessions/<sessionId>/orders/<orderId>/cancel",
    summary="Stop waiting for the card: the terminal's payment is cancelled unless it already went through",
    tags=["kiosk"],
    security=SECURITY,
    responses={**SIGNED_IN, **NOT_FOUND, 200: {"description": "The order as it ended"}},
)
def cancel_order(sessionId: str, orderId: str) -> OrderView:
    return kiosk.cancel_order(sessionId, orderId, current_caller(app), order_deps(), now())


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)

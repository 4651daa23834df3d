"""Reservations. Residents: hold slots, pay by card (Stripe Checkout), cancel with the refund policy, read their
reservations and receipts, ask for fee reductions and enter lotteries. Staff of 施設管理課 (shisetsu): decide fee
reductions, open lottery rounds and draw them. Other roles get 403, anonymous callers 401."""

from __future__ import annotations

import base64
from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.types import OpenAPIResponse
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from madoguchi.reservations import lottery
from madoguchi.reservations import service as reservations
from madoguchi.reservations.models import (
    ApplicationList,
    ApplicationRequest,
    CancelQuote,
    CancelRequest,
    CancelResponse,
    CheckoutRequest,
    CheckoutResponse,
    Draw,
    DrawResult,
    FeeReduction,
    HoldRequest,
    LotteryApplication,
    RateLimited,
    Receipt,
    ReductionDecision,
    ReductionList,
    ReductionRequest,
    Reservation,
    ReservationList,
    Round,
    RoundRequest,
)
from madoguchi.reservations.receipt import receipt_pdf
from madoguchi.shared.api import (
    CONFLICT,
    NOT_FOUND,
    SECURITY,
    SIGNED_IN,
    ErrorBody,
    IdempotencyKey,
    current_caller,
    error,
    make_resolver,
    request_lang,
)
from madoguchi.shared.clock import now
from madoguchi.shared.settings import settings
from madoguchi.wiring import payment_gateway, reservation_store

logger = Logger()
metrics = Metrics()
app = make_resolver()

PDF = "application/pdf"
SIGNED = {**SIGNED_IN, **NOT_FOUND}
DECIDES = {**SIGNED_IN, **NOT_FOUND, **CONFLICT}
LIMITED: dict[int, OpenAPIResponse] = {
    429: {
        "description": "Too many writes from this caller: retry after the Retry-After seconds",
        "content": {"application/json": {"model": ErrorBody}},
    }
}
IDEMPOTENT = (
    "Send an `Idempotency-Key` header (any unique string per intended action, kept a day): a retried request with "
    "the same key returns the first result and changes nothing more."
)


def deps() -> reservations.ReservationDeps:
    return reservations.ReservationDeps(store=reservation_store(), payments=payment_gateway())


@app.exception_handler(RateLimited)
def rate_limited(e: RateLimited) -> Response[str]:
    response = error(app, e.status, e.code)
    response.headers["Retry-After"] = str(e.retry_after)
    return response


@app.post(
    "/reservations",
    summary="Hold slots (they stay yours until expires_at; pay to confirm)",
    description="Per account and facility at most `max_holds` unpaid holds and `max_open` reservations to come "
    "(409 otherwise). " + IDEMPOTENT,
    tags=["reservations"],
    security=SECURITY,
    responses={**SIGNED, **CONFLICT, **LIMITED, 200: {"description": "The held reservation"}},
)
def hold(body: HoldRequest, idempotency_key: IdempotencyKey = None) -> Reservation:
    held = reservations.hold(
        body,
        current_caller(app),
        deps(),
        now(),
        hold_minutes=settings().hold_minutes,
        idempotency_key=idempotency_key,
        lang=request_lang(app),
    )
    metrics.add_metric(name="HoldPlaced", unit="Count", value=1)
    return held


@app.get(
    "/reservations/<reservationId>",
    summary="One reservation (its owner, or facility staff)",
    tags=["reservations"],
    security=SECURITY,
    responses={**SIGNED, 200: {"description": "The reservation"}},
)
def read(reservationId: str) -> Reservation:
    return reservations.get_reservation(reservationId, current_caller(app), deps())


@app.post(
    "/reservations/<reservationId>/checkout",
    summary="Pay a held reservation by card: answers the Stripe Checkout page to go to",
    description="Idempotent per reservation: a retry (with or without an `Idempotency-Key`) answers the same "
    "checkout. `return_url` must be a page of this site.",
    tags=["reservations"],
    security=SECURITY,
    responses={**SIGNED, **CONFLICT, **LIMITED, 200: {"description": "Where to pay (null when nothing is due)"}},
)
def checkout(reservationId: str, body: CheckoutRequest) -> CheckoutResponse:
    return reservations.checkout(reservationId, body, current_caller(app), deps(), now(), lang=request_lang(app))


@app.get(
    "/reservations/<reservationId>/cancellation",
    summary="What cancelling now would refund (to state it before the resident confirms); changes nothing",
    tags=["reservations"],
    security=SECURITY,
    responses={**SIGNED, 200: {"description": "The refund a cancellation now would give"}},
)
def cancellation(reservationId: str) -> CancelQuote:
    return reservations.quote(reservationId, current_caller(app), deps(), now())


@app.post(
    "/reservations/<reservationId>/cancel",
    summary="Cancel; paid reservations are refunded by the cancellation policy",
    description="The refund is owed with the cancellation and sent by the outbox worker, retried until Stripe "
    "confirms it (`refund_pending` until then: the refund is on its way). " + IDEMPOTENT,
    tags=["reservations"],
    security=SECURITY,
    responses={**SIGNED, **CONFLICT, **LIMITED, 200: {"description": "The cancelled reservation and the refund"}},
)
def cancel(reservationId: str, body: CancelRequest, idempotency_key: IdempotencyKey = None) -> CancelResponse:
    result = reservations.cancel(
        reservationId, body, current_caller(app), deps(), now(), idempotency_key=idempotency_key
    )
    metrics.add_metric(name="ReservationCancelled", unit="Count", value=1)
    return result


@app.get(
    "/reservations/<reservationId>/receipt",
    summary="The receipt (領収書) of a paid reservation",
    tags=["reservations"],
    security=SECURITY,
    responses={**SIGNED, 200: {"description": "The receipt"}},
)
def receipt(reservationId: str) -> Receipt:
    return reservations.receipt(reservationId, current_caller(app), deps(), lang=request_lang(app))


@app.get(
    "/reservations/<reservationId>/receipt.pdf",
    summary="The receipt (領収書) as a PDF",
    tags=["reservations"],
    security=SECURITY,
    responses={**SIGNED, 200: {"description": "PDF", "content": {"application/pdf": {}}}},
)
def receipt_as_pdf(reservationId: str) -> Response[str]:
    found = reservations.receipt(reservationId, current_caller(app), deps(), lang="ja")
    # Powertools' response validation would try to read bytes as text: hand it base64 text, flagged below.
    return Response(
        status_code=200,
        content_type=PDF,
        body=base64.b64encode(receipt_pdf(found)).decode(),
        headers={"Content-Disposition": f'inline; filename="receipt-{found.number}.pdf"'},
    )


@app.get(
    "/me/reservations",
    summary="My reservations, newest first",
    tags=["reservations"],
    security=SECURITY,
    responses={**SIGNED_IN, 200: {"description": "The caller's reservations"}},
)
def my_reservations() -> ReservationList:
    return reservations.mine(current_caller(app), deps())


@app.post(
    "/me/fee-reductions",
    summary="Ask for a fee reduction (減免) for a group; staff decide",
    description=IDEMPOTENT,
    tags=["reservations"],
    security=SECURITY,
    responses={**SIGNED_IN, **LIMITED, 200: {"description": "The pending request"}},
)
def ask_reduction(body: ReductionRequest, idempotency_key: IdempotencyKey = None) -> FeeReduction:
    return reservations.request_reduction(body, current_caller(app), deps(), now(), idempotency_key=idempotency_key)


@app.get(
    "/me/fee-reductions",
    summary="My fee reductions and their decisions",
    tags=["reservations"],
    security=SECURITY,
    responses={**SIGNED_IN, 200: {"description": "The caller's fee reductions"}},
)
def my_reductions() -> ReductionList:
    return reservations.my_reductions(current_caller(app), deps())


@app.get(
    "/staff/fee-reductions",
    summary="Fee reductions awaiting a decision (staff)",
    tags=["staff"],
    security=SECURITY,
    responses={**SIGNED_IN, 200: {"description": "Pending requests, oldest first"}},
)
def pending_reductions() -> ReductionList:
    return reservations.pending_reductions(current_caller(app), deps())


@app.post(
    "/staff/fee-reductions/<reductionId>/decide",
    summary="Approve or reject a fee reduction (staff; once)",
    tags=["staff"],
    security=SECURITY,
    responses={**DECIDES, 200: {"description": "The decided request"}},
)
def decide_reduction(reductionId: str, body: ReductionDecision) -> FeeReduction:
    return reservations.decide_reduction(reductionId, body, current_caller(app), deps(), now())


@app.post(
    "/lottery/applications",
    summary="Apply for a slot in a lottery round (one application per group and slot)",
    description="At most `max_lottery_entries` entries per account and round (409 otherwise). " + IDEMPOTENT,
    tags=["lottery"],
    security=SECURITY,
    responses={**SIGNED, **CONFLICT, **LIMITED, 200: {"description": "The application"}},
)
def apply(body: ApplicationRequest, idempotency_key: IdempotencyKey = None) -> LotteryApplication:
    return lottery.apply(body, current_caller(app), deps(), now(), idempotency_key=idempotency_key)


@app.get(
    "/me/lottery",
    summary="My lottery applications and their results",
    tags=["lottery"],
    security=SECURITY,
    responses={**SIGNED_IN, 200: {"description": "Applications with won / waiting / lost"}},
)
def my_lottery() -> ApplicationList:
    return lottery.my_applications(current_caller(app), deps())


@app.post(
    "/staff/lottery/<facilityId>/<month>",
    summary="Open a lottery round for a facility's month (staff)",
    tags=["staff"],
    security=SECURITY,
    responses={**DECIDES, 200: {"description": "The round"}},
)
def open_round(facilityId: str, month: str, body: RoundRequest) -> Round:
    return lottery.open_round(facilityId, month, body, current_caller(app), deps())


@app.post(
    "/staff/lottery/<facilityId>/<month>/draw",
    summary="Draw the round once, from a fresh recorded seed (staff)",
    tags=["staff"],
    security=SECURITY,
    responses={**DECIDES, 200: {"description": "Winners, waiting list and the seed"}},
)
def draw(facilityId: str, month: str) -> DrawResult:
    return lottery.run_draw(facilityId, month, current_caller(app), deps(), now())


@app.get(
    "/staff/lottery/<facilityId>/<month>/draw",
    summary="The recorded draw, replayed from its seed (staff, for audit)",
    tags=["staff"],
    security=SECURITY,
    responses={**SIGNED, 200: {"description": "The draw"}},
)
def read_draw(facilityId: str, month: str) -> Draw:
    return lottery.replay(facilityId, month, current_caller(app), deps())


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    result = app.resolve(event, context)
    content_type = (result.get("multiValueHeaders") or {}).get("Content-Type") or [
        (result.get("headers") or {}).get("Content-Type")
    ]
    if PDF in content_type and result.get("statusCode") == 200:
        result["isBase64Encoded"] = True  # API Gateway turns it back into bytes (binary media type application/pdf)
    return result

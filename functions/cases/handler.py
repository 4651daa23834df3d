"""One-stop life-event cases.

GET /life-events, GET /life-events/{eventId}: anyone. POST /cases: one-stop staff, or a resident
pre-registering. GET /cases?code=: front-counter staff find a case by its short code.
GET /cases/{caseId}: the resident who opened it (their own view, ResidentCaseView; another resident's
case is 404), or staff of a department involved (the record, CaseView).
POST /cases/{caseId}/identity: one-stop staff. Thread and verifications: staff of a department involved;
answering a verification: staff of the asked department.
"""

from __future__ import annotations

from typing import Annotated, Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.event_handler.openapi.params import Query
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from madoguchi.cases import service as cases
from madoguchi.cases.models import (
    CASE_CODE_PATTERN,
    Answer,
    Ask,
    CaseView,
    IdentityInput,
    LifeEventList,
    LifeEventView,
    Message,
    OpenCase,
    ResidentCaseView,
    ThreadMessage,
    Verification,
)
from madoguchi.shared.api import (
    CONFLICT,
    NOT_FOUND,
    SECURITY,
    SIGNED_IN,
    IdempotencyKey,
    current_caller,
    make_resolver,
    request_lang,
)
from madoguchi.shared.clock import now
from madoguchi.wiring import case_store

logger = Logger()
metrics = Metrics()
app = make_resolver()

SIGNED_IN_CASE = {**SIGNED_IN, **NOT_FOUND}


def deps() -> cases.CaseDeps:
    return cases.CaseDeps(store=case_store())


@app.get("/life-events", summary="Life events with a one-stop case", tags=["cases"])
def list_life_events(lang: str | None = None) -> LifeEventList:
    return cases.list_life_events(lang=request_lang(app))


@app.get(
    "/life-events/<eventId>",
    summary="A life event's questions",
    tags=["cases"],
    responses={**NOT_FOUND, 200: {"description": "The event and its questions"}},
)
def describe_life_event(eventId: str, lang: str | None = None) -> LifeEventView:
    return cases.describe_life_event(eventId, lang=request_lang(app))


@app.post(
    "/cases",
    summary="Open a one-stop case",
    description="Send an `Idempotency-Key` header (any string up to 100 characters): a retry with the same key "
    "returns the first request's case and starts no second workflow. An open case's workflow is started by the "
    "outbox worker within seconds (`workflow_starting` is true until then).",
    tags=["cases"],
    security=SECURITY,
    responses={**SIGNED_IN, 200: {"description": "The new case (a retry: the first one)"}},
)
def open_case(body: OpenCase, idempotency_key: IdempotencyKey = None) -> CaseView | ResidentCaseView:
    caller = current_caller(app)
    case = cases.open_case(body, caller, deps(), now(), idempotency_key=idempotency_key)
    metrics.add_metric(name="CaseOpened", unit="Count", value=1)
    return cases.view_for(case.id, caller, deps(), lang=request_lang(app))


@app.get(
    "/cases",
    summary="Find a case by its short code (typed, or scanned from the resident's QR) at a front counter",
    description="The front counters (one-stop, district centres) only; the lookup and the read are audited on "
    "the case. 404 for an unknown code.",
    tags=["cases"],
    security=SECURITY,
    responses={**SIGNED_IN_CASE, 200: {"description": "The case"}},
)
def find_case(code: Annotated[str, Query(pattern=CASE_CODE_PATTERN)]) -> CaseView | ResidentCaseView:
    caller = current_caller(app)
    case_id = cases.find_by_code(code, caller, deps(), now())
    return cases.get_case(case_id, caller, deps(), now(), lang=request_lang(app))


@app.get(
    "/cases/<caseId>",
    summary="A case: staff of a department involved get the record (steps, identity, what to check and explain, "
    "thread, timeline); the resident who opened it gets their own view (what was done, what remains, where to go). "
    "Another resident's case is 404",
    tags=["cases"],
    security=SECURITY,
    responses={**SIGNED_IN_CASE, 200: {"description": "The case"}},
)
def get_case(caseId: str, lang: str | None = None) -> CaseView | ResidentCaseView:
    return cases.get_case(caseId, current_caller(app), deps(), now(), lang=request_lang(app))


@app.post(
    "/cases/<caseId>/identity",
    summary="Record identity verification of a pre-registered case and start it",
    tags=["cases"],
    security=SECURITY,
    responses={**SIGNED_IN_CASE, **CONFLICT, 200: {"description": "The case, now open (its workflow starting)"}},
)
def record_identity(caseId: str, body: IdentityInput) -> CaseView | ResidentCaseView:
    caller = current_caller(app)
    cases.record_identity(caseId, body, caller, deps(), now())
    return cases.view_for(caseId, caller, deps(), lang=request_lang(app))


@app.post(
    "/cases/<caseId>/thread",
    summary="Ask a department on the case's thread (remote back-office support)",
    description="With an `Idempotency-Key`, a retry by the same staff member returns the first message and files "
    "no second one.",
    tags=["cases"],
    security=SECURITY,
    responses={**SIGNED_IN_CASE, 200: {"description": "The message (a retry: the first one)"}},
)
def post_message(caseId: str, body: Message, idempotency_key: IdempotencyKey = None) -> ThreadMessage:
    return cases.post_message(caseId, body, current_caller(app), deps(), now(), idempotency_key=idempotency_key)


@app.post(
    "/cases/<caseId>/verifications",
    summary="Ask another department to confirm a fact instead of asking the resident for a certificate",
    description="With an `Idempotency-Key`, a retry by the same staff member returns the first question and asks "
    "the department nothing more.",
    tags=["cases"],
    security=SECURITY,
    responses={**SIGNED_IN_CASE, 200: {"description": "The verification request (a retry: the first one)"}},
)
def ask_verification(caseId: str, body: Ask, idempotency_key: IdempotencyKey = None) -> Verification:
    return cases.ask_verification(caseId, body, current_caller(app), deps(), now(), idempotency_key=idempotency_key)


@app.post(
    "/cases/<caseId>/verifications/<verificationId>/answer",
    summary="Answer a verification request (staff of the asked department)",
    tags=["cases"],
    security=SECURITY,
    responses={**SIGNED_IN_CASE, **CONFLICT, 200: {"description": "The answered verification"}},
)
def answer_verification(caseId: str, verificationId: str, body: Answer) -> Verification:
    return cases.answer_verification(caseId, verificationId, body, current_caller(app), deps(), now())


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)

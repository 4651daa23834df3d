"""FAQ search and chat (public), staff review and editing.

GET /faq/search, POST /faq/chat: anyone (public information; questions the FAQ cannot answer are kept for
review with personal data masked). /staff/faq/*: staff of any department read and mark reviewed; editing
entries: the FAQ editors' departments (madoguchi.faq.service.FAQ_EDITORS), links to this site only.
"""

from __future__ import annotations

from typing import Annotated, Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.event_handler.openapi.params import Query
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from madoguchi.faq import service as faq
from madoguchi.faq.models import (
    FaqChatReply,
    FaqChatRequest,
    FaqEntry,
    FaqEntryEdit,
    FaqEntryHistory,
    FaqResolved,
    FaqSearchResult,
    FaqUnansweredList,
)
from madoguchi.shared.api import CONFLICT, NOT_FOUND, SECURITY, SIGNED_IN, current_caller, make_resolver, request_lang
from madoguchi.shared.clock import now
from madoguchi.wiring import faq_store

logger = Logger()
metrics = Metrics()
app = make_resolver()


def deps() -> faq.FaqDeps:
    return faq.FaqDeps(store=faq_store())


@app.get("/faq/search", summary="Search the FAQ in any of the six languages", tags=["faq"])
def search(q: Annotated[str, Query(max_length=200)], lang: str | None = None) -> FaqSearchResult:
    return faq.search(q, deps(), lang=request_lang(app))


@app.post(
    "/faq/chat", summary="Ask a question: the best answer, related entries, or how to reach a person", tags=["faq"]
)
def chat(body: FaqChatRequest, lang: str | None = None) -> FaqChatReply:
    reply = faq.chat(body.message, deps(), now(), lang=request_lang(app), channel="web")
    metrics.add_metric(name="FaqChatAnswered" if reply.confident else "FaqChatUnanswered", unit="Count", value=1)
    return reply


@app.get(
    "/staff/faq/unanswered",
    summary="Questions the FAQ could not answer, newest first (masked)",
    tags=["faq"],
    security=SECURITY,
    responses={**SIGNED_IN, 200: {"description": "The questions"}},
)
def unanswered(limit: Annotated[int, Query(ge=1, le=100)] = 50) -> FaqUnansweredList:
    return faq.unanswered(limit, current_caller(app), deps())


@app.post(
    "/staff/faq/unanswered/<questionId>/resolve",
    summary="Mark a question reviewed (removes it)",
    tags=["faq"],
    security=SECURITY,
    responses={**SIGNED_IN, **NOT_FOUND, 200: {"description": "Removed"}},
)
def resolve(questionId: str) -> FaqResolved:
    faq.resolve(questionId, current_caller(app), deps())
    return FaqResolved(id=questionId)


@app.get(
    "/staff/faq/entries/<entryId>",
    summary="An entry in every language with its earlier versions",
    tags=["faq"],
    security=SECURITY,
    responses={**SIGNED_IN, **NOT_FOUND, 200: {"description": "The entry and its history"}},
)
def get_entry(entryId: str) -> FaqEntryHistory:
    return faq.entry_history(entryId, current_caller(app), deps())


@app.put(
    "/staff/faq/entries/<entryId>",
    summary="Save a new version of an entry (expected_version 0 creates one); search reflects it at once",
    tags=["faq"],
    security=SECURITY,
    responses={**SIGNED_IN, **CONFLICT, **NOT_FOUND, 200: {"description": "The new version"}},
)
def edit_entry(entryId: str, body: FaqEntryEdit) -> FaqEntry:
    return faq.edit(entryId, body, current_caller(app), deps(), now())


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)

"""Procedure guide (迷わない窓口).

GET /guide/events, GET /guide/events/{eventId}, POST /guide/checklist, POST /guide/checklist.ics: anyone
(public information; the answers are not stored). POST /staff/guide/navigation: staff of any department.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from madoguchi.guide import service as guide
from madoguchi.guide.models import (
    GuideChecklist,
    GuideChecklistRequest,
    GuideEventList,
    GuideEventView,
    GuideNavigation,
)
from madoguchi.shared.api import NOT_FOUND, SECURITY, SIGNED_IN, current_caller, make_resolver, request_lang
from madoguchi.wiring import procedure_store

logger = Logger()
metrics = Metrics()
app = make_resolver()


def deps() -> guide.GuideDeps:
    return guide.GuideDeps(procedures=procedure_store())


@app.get("/guide/events", summary="Life events the guide knows", tags=["guide"])
def list_events(lang: str | None = None) -> GuideEventList:
    return guide.list_events(lang=request_lang(app))


@app.get(
    "/guide/events/<eventId>",
    summary="A life event's questions",
    tags=["guide"],
    responses={**NOT_FOUND, 200: {"description": "The event and its questions"}},
)
def describe_event(eventId: str, lang: str | None = None) -> GuideEventView:
    return guide.describe(eventId, lang=request_lang(app))


@app.post(
    "/guide/checklist",
    summary="The procedures that apply, where, what to bring and by when",
    tags=["guide"],
    responses={**NOT_FOUND, 200: {"description": "The checklist, soonest deadline first"}},
)
def checklist(body: GuideChecklistRequest, lang: str | None = None) -> GuideChecklist:
    listed = guide.checklist(body, deps(), lang=request_lang(app))
    metrics.add_metric(name="GuideChecklist", unit="Count", value=1)
    return listed


@app.post(
    "/guide/checklist.ics",
    summary="The checklist's deadlines as an iCalendar file",
    tags=["guide"],
    responses={**NOT_FOUND, 200: {"description": "text/calendar", "content": {"text/calendar": {}}}},
)
def checklist_ics(body: GuideChecklistRequest, lang: str | None = None) -> Response[bytes]:
    listed = guide.checklist(body, deps(), lang=request_lang(app))
    return Response(
        status_code=200,
        content_type="text/calendar; charset=utf-8",
        body=guide.ics(listed),
        headers={"Content-Disposition": f'attachment; filename="madoguchi-{body.event}.ics"'},
    )


@app.post(
    "/staff/guide/navigation",
    summary="Staff intake navigation: the checklist by department, with what to check and explain",
    tags=["guide"],
    security=SECURITY,
    responses={**SIGNED_IN, **NOT_FOUND, 200: {"description": "The navigation"}},
)
def navigation(body: GuideChecklistRequest, lang: str | None = None) -> GuideNavigation:
    return guide.navigation(body, current_caller(app), deps(), lang=request_lang(app))


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)

"""Live congestion and the learned congestion calendar; public, read-only.

GET /congestion/now: waiting count and estimated wait per counter from one read of the live object.
GET /congestion/calendar?month=YYYY-MM[&counter=]: the month's forecast (JSON), one read.
GET /congestion/calendar.ics[?counter=]: the busy bands of this month and the next two as iCalendar events.
GET /congestion/calendar.html?month=YYYY-MM[&counter=]: the month page, server-rendered (no JavaScript needed).
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from madoguchi.queue import calendar
from madoguchi.queue import service as queue
from madoguchi.queue.calendar import CalendarView
from madoguchi.queue.models import TOKYO, CongestionNow
from madoguchi.shared.api import NOT_FOUND, make_resolver, request_lang
from madoguchi.shared.clock import now
from madoguchi.shared.public_origin import site_origin
from madoguchi.wiring import queue_store

logger = Logger()
metrics = Metrics()
app = make_resolver()


def deps() -> queue.QueueDeps:
    return queue.QueueDeps(store=queue_store())


@app.get("/congestion/now", summary="Waiting and estimated wait per counter, now", tags=["congestion"])
def congestion_now(lang: str | None = None) -> CongestionNow:
    return queue.congestion_now(deps(), now(), lang=request_lang(app))


@app.get(
    "/congestion/calendar",
    summary="The learned congestion calendar of a month",
    tags=["congestion"],
    responses={**NOT_FOUND, 200: {"description": "Days × time bands with level and expected wait"}},
)
def month_calendar(month: str | None = None, counter: str | None = None, lang: str | None = None) -> CalendarView:
    return calendar.calendar(queue_store(), calendar.parse_month(month, now()), counter or None, request_lang(app))


@app.get(
    "/congestion/calendar.ics",
    summary="Busy time bands as an iCalendar feed",
    tags=["congestion"],
    responses={200: {"description": "text/calendar", "content": {"text/calendar": {}}}},
)
def calendar_ics(counter: str | None = None, lang: str | None = None) -> Response[bytes]:
    months = calendar.next_months(now().astimezone(TOKYO).date(), 3)
    body = calendar.ics(queue_store(), months, counter or None, request_lang(app), site_origin())
    return Response(
        status_code=200,
        content_type="text/calendar; charset=utf-8",
        body=body,
        headers={"Content-Disposition": 'attachment; filename="madoguchi-congestion.ics"'},
    )


@app.get(
    "/congestion/calendar.html",
    summary="The month page (HTML, works without JavaScript)",
    tags=["congestion"],
    responses={200: {"description": "text/html", "content": {"text/html": {}}}},
)
def calendar_page(month: str | None = None, counter: str | None = None, lang: str | None = None) -> Response[str]:
    body = calendar.page(queue_store(), calendar.parse_month(month, now()), counter or None, request_lang(app))
    return Response(
        status_code=200,
        content_type="text/html; charset=utf-8",
        body=body,
        headers={"Cache-Control": "public, max-age=300"},
    )


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)

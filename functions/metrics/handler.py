"""Measuring the plan (docs/metrics.md).

GET /staff/metrics?month=YYYY-MM: counts and times per procedure × channel (management department only).
GET /opendata/procedure-metrics.json|.csv?month=YYYY-MM: the published month, small counts suppressed (public).
GET /opendata/procedure-metrics.schema.json: the Table Schema of the CSV (public).
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from madoguchi.metrics import service
from madoguchi.metrics.models import MetricsMonth, OpenDataMonth
from madoguchi.shared.api import NOT_FOUND, SECURITY, SIGNED_IN, current_caller, make_resolver
from madoguchi.shared.clock import now
from madoguchi.wiring import metrics_store, procedure_store

logger = Logger()
metrics = Metrics()
app = make_resolver()
OPEN_DATA_CACHE = "public, max-age=3600"


@app.get(
    "/staff/metrics",
    summary="A month's counts and lead/handling times per procedure and channel (management)",
    tags=["metrics"],
    security=SECURITY,
    responses={**SIGNED_IN, 200: {"description": "Rows per procedure × channel"}},
)
def staff_metrics(month: str | None = None, lang: str | None = None) -> MetricsMonth:
    return service.staff_month(current_caller(app), metrics_store(), month, now())


def _open_data(month: str | None) -> OpenDataMonth:
    catalogue = {p.id: p for p in procedure_store().list()}
    return service.open_data(metrics_store(), catalogue, month, now())


@app.get(
    "/opendata/procedure-metrics.json",
    summary="Open data: a past month's counts and lead times per procedure and channel",
    tags=["metrics"],
    responses={**NOT_FOUND, 200: {"description": "Rows; suppressed figures are null"}},
)
def open_data_json(month: str | None = None, lang: str | None = None) -> Response[OpenDataMonth]:
    data = _open_data(month)
    return Response(
        status_code=200, content_type="application/json", body=data, headers={"Cache-Control": OPEN_DATA_CACHE}
    )


@app.get(
    "/opendata/procedure-metrics.csv",
    summary="Open data as CSV (UTF-8, header row; suppressed cells empty)",
    tags=["metrics"],
    responses={**NOT_FOUND, 200: {"description": "text/csv", "content": {"text/csv": {}}}},
)
def open_data_csv(month: str | None = None, lang: str | None = None) -> Response[str]:
    data = _open_data(month)
    return Response(
        status_code=200,
        content_type="text/csv; charset=utf-8",
        body=service.open_data_csv(data),
        headers={
            "Cache-Control": OPEN_DATA_CACHE,
            "Content-Disposition": f'attachment; filename="madoguchi-procedure-metrics-{data.month}.csv"',
        },
    )


@app.get(
    "/opendata/procedure-metrics.schema.json",
    summary="Table Schema (Frictionless) of the open-data CSV",
    tags=["metrics"],
    responses={200: {"description": "The schema"}},
)
def open_data_schema() -> dict[str, object]:
    return service.open_data_schema()


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)

"""Procedure catalogue: GET /procedures, GET /procedures/{procedureId} (anyone); GET /me (signed in)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from madoguchi.procedures import service as procedures
from madoguchi.procedures.models import ProcedureDetail, ProcedureList
from madoguchi.shared.api import NOT_FOUND, SECURITY, SIGNED_IN, current_caller, make_resolver, request_lang
from madoguchi.shared.auth import Caller
from madoguchi.wiring import procedure_store

logger = Logger()
metrics = Metrics()
app = make_resolver()


def deps() -> procedures.ProcedureDeps:
    return procedures.ProcedureDeps(store=procedure_store())


@app.get("/procedures", summary="List procedures", tags=["procedures"])
def list_procedures(lang: str | None = None) -> ProcedureList:  # documents ?lang=; request_lang reads it
    return procedures.list_procedures(deps(), lang=request_lang(app))


@app.get(
    "/procedures/<procedureId>",
    summary="One procedure with documents to bring",
    tags=["procedures"],
    responses={**NOT_FOUND, 200: {"description": "The procedure"}},
)
def get_procedure(procedureId: str, lang: str | None = None) -> ProcedureDetail:
    return procedures.get_procedure(procedureId, deps(), lang=request_lang(app))


@app.get(
    "/me",
    summary="Who the caller is",
    tags=["identity"],
    security=SECURITY,
    responses={**SIGNED_IN, 200: {"description": "The caller"}},
)
def me() -> Caller:
    return procedures.who_am_i(current_caller(app))


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)

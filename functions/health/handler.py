"""GET /health: liveness, for load balancers, monitors and the local stack's readiness check."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel

from madoguchi.shared.api import make_resolver

app = make_resolver()


class Health(BaseModel):
    status: str


@app.get("/health", summary="Liveness", tags=["platform"])
def health() -> Health:
    return Health(status="ok")


def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)

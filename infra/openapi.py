"""One OpenAPI 3.1 document for the whole API, merged from every function's Powertools resolver."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from infra import catalogue

TITLE = "Madoguchi API"
DESCRIPTION = (
    "Service-counter API of the city: procedures, applications, reservations, queues, congestion, guide and "
    "one-stop cases. Send `Authorization: Bearer <JWT>` on routes that require sign-in; `?lang=` or "
    "`Accept-Language` chooses the language of messages (ja, en, pt, vi, zh, ja-easy)."
)


def merge(documents: list[dict[str, Any]], version: str = "0.1.0") -> dict[str, Any]:
    paths: dict[str, Any] = {}
    schemas: dict[str, Any] = {}
    security_schemes: dict[str, Any] = {}
    for doc in documents:
        for path, operations in doc.get("paths", {}).items():
            paths.setdefault(path, {}).update(operations)
        for name, schema in doc.get("components", {}).get("schemas", {}).items():
            if name in schemas and schemas[name] != schema:
                raise ValueError(f"two functions define different schemas named {name}")
            schemas[name] = schema
        security_schemes.update(doc.get("components", {}).get("securitySchemes", {}))
    return {
        "openapi": "3.1.0",
        "info": {"title": TITLE, "version": version, "description": DESCRIPTION},
        "paths": dict(sorted(paths.items())),
        "components": {
            "schemas": dict(sorted(schemas.items())),
            "securitySchemes": security_schemes,
        },
    }


def document(load_resolver: Callable[[catalogue.Function], Any]) -> dict[str, Any]:
    """The merged document; `load_resolver` gives a function's APIGatewayRestResolver (its module's `app`)."""
    from aws_lambda_powertools.event_handler.openapi.models import HTTPBearer

    security_schemes = {
        "bearerAuth": HTTPBearer(bearerFormat="JWT", description="ID token from Cognito (or the local issuer)")
    }
    docs = [
        json.loads(load_resolver(fn).get_openapi_json_schema(title=TITLE, security_schemes=security_schemes))
        for fn in catalogue.FUNCTIONS
        if fn.routes
    ]
    return merge(docs)


def from_handlers() -> dict[str, Any]:
    """The merged document from a fresh import of each function's handler.py (no local stack needed)."""
    from infra.local.functions import load_container

    return document(lambda fn: load_container(fn).app)

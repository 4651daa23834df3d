"""LINE Login linking of a signed-in resident's LINE account (OpenID Connect v2.1, code + PKCE).

GET /me/line: linked or not. POST /me/line/link: starts an authorisation and answers LINE's authorisation URL.
POST /me/line/callback: the site's /line-link/ page hands back `code` and `state`; the code is exchanged here and the
ID token verified before anything is stored. DELETE /me/line: unlinks. Residents only; the LINE user id is never
returned or logged.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.event_handler.openapi.types import OpenAPIResponse
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from madoguchi.messaging import service as linking
from madoguchi.messaging.models import LineLinkStatus, LinkCallback, LinkStarted
from madoguchi.shared.api import SECURITY, SIGNED_IN, UNAVAILABLE, ErrorBody, current_caller, make_resolver
from madoguchi.shared.clock import now
from madoguchi.wiring import line_link_store, line_login

logger = Logger()
metrics = Metrics()
app = make_resolver()

REFUSED: dict[int, OpenAPIResponse] = {
    400: {
        "description": "line_link_state: no such authorisation in progress for this resident (unknown, used or "
        "expired); line_link_refused: LINE did not confirm the account (code or ID token refused). Nothing linked",
        "content": {"application/json": {"model": ErrorBody}},
    }
}


def deps() -> linking.LinkDeps:
    return linking.LinkDeps(store=line_link_store(), login=line_login())


@app.get(
    "/me/line",
    summary="Whether the caller's LINE account is linked",
    tags=["line"],
    security=SECURITY,
    responses={**SIGNED_IN, 200: {"description": "Link status"}},
)
def link_status(lang: str | None = None) -> LineLinkStatus:
    return linking.status(current_caller(app), deps())


@app.post(
    "/me/line/link",
    summary="Start linking a LINE account: LINE Login's authorisation URL (state, nonce, PKCE kept server-side)",
    tags=["line"],
    security=SECURITY,
    responses={**SIGNED_IN, **UNAVAILABLE, 200: {"description": "Where to send the browser"}},
)
def start(lang: str | None = None) -> LinkStarted:
    return linking.start_link(current_caller(app), deps(), now())


@app.post(
    "/me/line/callback",
    summary="Finish linking: exchange LINE Login's code and verify its ID token, then link",
    tags=["line"],
    security=SECURITY,
    responses={**SIGNED_IN, **REFUSED, **UNAVAILABLE, 200: {"description": "Linked"}},
)
def callback(body: LinkCallback, lang: str | None = None) -> LineLinkStatus:
    linked = linking.finish_link(body, current_caller(app), deps(), now())
    metrics.add_metric(name="LineLinked", unit="Count", value=1)
    return linked


@app.delete(
    "/me/line",
    summary="Unlink the caller's LINE account (no notices reach it any more)",
    tags=["line"],
    security=SECURITY,
    responses={**SIGNED_IN, 200: {"description": "Unlinked"}},
)
def unlink(lang: str | None = None) -> LineLinkStatus:
    return linking.unlink(current_caller(app), deps())


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)

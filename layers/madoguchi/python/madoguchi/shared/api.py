"""What every API handler shares: the resolver, language negotiation, one error body, documented responses."""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable, Mapping
from typing import Annotated, Any
from urllib.parse import unquote

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response, content_types
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError
from aws_lambda_powertools.event_handler.openapi.params import Header
from aws_lambda_powertools.event_handler.openapi.types import OpenAPIResponse
from botocore.exceptions import ClientError
from pydantic import BaseModel, Field

from madoguchi.shared.auth import Caller, Role, caller_from_event
from madoguchi.shared.dynamodb import throttled
from madoguchi.shared.errors import Busy, DomainError, InvalidInput
from madoguchi.shared.i18n import Lang, message, negotiate

logger = Logger()
DeviceGate = Callable[[Caller], object]

SECURITY: list[dict[str, list[str]]] = [{"bearerAuth": []}]


class ErrorItem(BaseModel):
    loc: list[str | int] = Field(description="Path of the offending field, e.g. ['query', 'month']")
    msg: str = Field(description="Translated explanation")
    type: str = Field(description="Machine-readable reason, e.g. 'missing'")


class ErrorBody(BaseModel):
    code: str = Field(description="Stable error code, e.g. not_found")
    message: str = Field(description="Message in the caller's language")
    detail: list[ErrorItem] = Field(default_factory=list, description="Field errors, for validation_error")


def _error_response(description: str) -> OpenAPIResponse:
    return {"description": description, "content": {"application/json": {"model": ErrorBody}}}


NOT_FOUND: dict[int, OpenAPIResponse] = {404: _error_response("Not found")}
CONFLICT: dict[int, OpenAPIResponse] = {409: _error_response("Decided or recorded already")}
UNAVAILABLE: dict[int, OpenAPIResponse] = {
    503: _error_response("A service behind the API did not take the call; nothing was changed, try again")
}
SIGNED_IN: dict[int, OpenAPIResponse] = {
    401: _error_response("No valid token"),
    403: _error_response("The caller's role may not do this"),
}


# --- cases context (issue 13, flaw 8): every id in a path is short and plain ---------------------------------
PATH_PARAMETER_MAX = 128
_PATH_PARAMETER = re.compile(rf"[A-Za-z0-9._~:@+=,-]{{1,{PATH_PARAMETER_MAX}}}")


def _path_parameters_plain(event: Mapping[str, Any]) -> bool:
    """Every path parameter (and every segment of the path, decoded) is at most PATH_PARAMETER_MAX characters of
    a safe set: ids are short ASCII tokens, so anything else names nothing, and never reaches a handler (a
    file name, a key or a log line)."""
    parameters = list((event.get("pathParameters") or {}).values())
    segments = [unquote(part) for part in str(event.get("path") or "").split("/") if part]
    return all(isinstance(v, str) and _PATH_PARAMETER.fullmatch(v) for v in [*parameters, *segments])


class Resolver(APIGatewayRestResolver):
    device_gate: DeviceGate | None = None

    """Our API takes JSON bodies only. A body of another type (415) or that is not JSON (422) is refused
    before Powertools parses it: its parsers raise bare ValueErrors on such input. A path parameter that is
    too long or not plain is 404 before any handler runs."""

    def resolve(self, event: Mapping[str, Any], context: Any) -> dict[str, Any]:
        if not _path_parameters_plain(event):
            headers = {k.lower(): v for k, v in (event.get("headers") or {}).items()}
            lang = negotiate((event.get("queryStringParameters") or {}).get("lang"), headers.get("accept-language"))
            return _early_error(404, "not_found", lang)
        body = event.get("body")
        if body:
            headers = {k.lower(): v for k, v in (event.get("headers") or {}).items()}
            lang = negotiate((event.get("queryStringParameters") or {}).get("lang"), headers.get("accept-language"))
            content_type = (headers.get("content-type") or "").split(";")[0].strip().lower()
            if content_type != "application/json":
                return _early_error(415, "unsupported_media_type", lang)
            try:
                json.loads(base64.b64decode(body) if event.get("isBase64Encoded") else body)
            except ValueError:
                detail = [ErrorItem(loc=["body"], type="json_invalid", msg=message("field_invalid", lang))]
                return _early_error(422, "validation_error", lang, detail)
        return super().resolve(event, context)


def _early_error(status: int, code: str, lang: Lang, detail: list[ErrorItem] | None = None) -> dict[str, Any]:
    body = ErrorBody(code=code, message=message(code, lang), detail=detail or [])
    return {
        "statusCode": status,
        "headers": {"Content-Type": content_types.APPLICATION_JSON},
        "body": body.model_dump_json(),
        "isBase64Encoded": False,
    }


def make_resolver(device_gate: DeviceGate | None = None) -> APIGatewayRestResolver:
    """`device_gate`: for functions that serve kiosks or ticket machines, the check that the calling device is
    still enrolled (madoguchi.devices.service.admit), run by current_caller for every device caller."""
    app = Resolver(enable_validation=True)
    app.device_gate = device_gate
    register_error_handlers(app)
    return app


def request_lang(app: APIGatewayRestResolver) -> Lang:
    event = app.current_event
    return negotiate(
        event.get_query_string_value("lang"),
        event.headers.get("Accept-Language"),  # Powertools' headers are case-insensitive
    )


IDEMPOTENCY_KEY_LENGTH = 100
# A creating POST's retry key, declared as the header parameter it is (issue 13, flaw 7): the caller's own, so
# another caller's same key is another request.
IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=IDEMPOTENCY_KEY_LENGTH,
        description="One key per intended action (e.g. a UUID per button press): a retry with the same key by the "
        "same caller answers the first request's result and changes nothing more",
    ),
]


def current_caller(app: APIGatewayRestResolver) -> Caller | None:
    caller = caller_from_event(app.current_event.raw_event)
    gate: DeviceGate | None = getattr(app, "device_gate", None)
    if caller is not None and caller.role is Role.DEVICE and gate is not None:
        gate(caller)  # raises for a revoked or unknown device: its token is refused before any logic
    return caller


def error(app: APIGatewayRestResolver, status: int, code: str, detail: list[ErrorItem] | None = None) -> Response[str]:
    body = ErrorBody(code=code, message=message(code, request_lang(app)), detail=detail or [])
    return Response(status_code=status, content_type=content_types.APPLICATION_JSON, body=body.model_dump_json())


def register_error_handlers(app: APIGatewayRestResolver) -> None:
    @app.exception_handler(DomainError)
    def domain_error(e: DomainError) -> Response[str]:
        if isinstance(e, InvalidInput):
            lang = request_lang(app)
            items = [ErrorItem(loc=loc, type=reason, msg=message(reason, lang)) for loc, reason in e.fields]
            return error(app, e.status, e.code, items)
        return busy() if isinstance(e, Busy) else error(app, e.status, e.code)

    def busy() -> Response[str]:
        response = error(app, Busy.status, Busy.code)
        response.headers["Retry-After"] = str(Busy.retry_after)
        return response

    @app.exception_handler(ClientError)
    def aws_error(e: ClientError) -> Response[str]:
        # DynamoDB throttling that outlasted the SDK's bounded retries: a clear "try again", never a 500.
        if throttled(e):
            return busy()
        logger.error("Unhandled error", extra={"error_type": type(e).__name__})
        return error(app, 500, "internal_error")

    @app.exception_handler(RequestValidationError)
    def validation_error(e: RequestValidationError) -> Response[str]:
        # Powertools' own 422 items have no "msg" although its schema requires one: give a translated one.
        lang = request_lang(app)
        items = [
            ErrorItem(
                loc=[str(part) if not isinstance(part, int) else part for part in err.get("loc", ())],
                type=str(err.get("type", "value_error")),
                msg=message("field_missing" if err.get("type") == "missing" else "field_invalid", lang),
            )
            for err in e.errors()
        ]
        return error(app, 422, "validation_error", items)

    @app.not_found
    def not_found(_: Exception) -> Response[str]:
        return error(app, 404, "not_found")

    @app.exception_handler(Exception)
    def unexpected(e: Exception) -> Response[str]:
        # Type only: exception text may carry personal data.
        logger.error("Unhandled error", extra={"error_type": type(e).__name__})
        return error(app, 500, "internal_error")

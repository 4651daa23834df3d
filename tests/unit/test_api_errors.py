"""The one error body, through a real handler with an in-memory store (no AWS)."""

import json

import pytest

from infra import catalogue
from infra.local.functions import LambdaContext, load_container
from infra.seed import procedures as seed_procedures
from madoguchi.shared.api import make_resolver
from tests.fakes.procedures import MemoryProcedureStore


@pytest.fixture
def handler(monkeypatch):
    module = load_container(catalogue.function("procedures"))
    monkeypatch.setattr(module, "procedure_store", lambda: MemoryProcedureStore(seed_procedures()))
    return module


def call(handler, path, query=None, headers=None):
    event = {
        "resource": path,
        "path": path,
        "httpMethod": "GET",
        "headers": headers or {},
        "multiValueHeaders": {},
        "queryStringParameters": query,
        "multiValueQueryStringParameters": {k: [v] for k, v in (query or {}).items()} or None,
        "pathParameters": None,
        "requestContext": {"requestId": "r", "stage": "local", "resourcePath": path, "httpMethod": "GET"},
        "body": None,
        "isBase64Encoded": False,
    }
    resolve = handler.lambda_handler if hasattr(handler, "lambda_handler") else handler.resolve
    response = resolve(event, LambdaContext("procedures", 512, 10))
    return response["statusCode"], json.loads(response["body"])


def test_unknown_id_gives_a_translated_404(handler):
    status, body = call(handler, "/procedures/unknown-thing", {"lang": "vi"})
    assert status == 404
    assert body == {"code": "not_found", "message": "Không tìm thấy thông tin bạn cần.", "detail": []}


def test_malformed_id_is_just_unknown(handler):
    status, body = call(handler, "/procedures/%E4%BD%8F!", headers={"Accept-Language": "en"})
    assert (status, body["code"]) == (404, "not_found")


def test_invalid_input_gives_422_with_field_paths_and_translated_messages():
    app = make_resolver()

    @app.get("/count")
    def count(month: int, day: int) -> dict[str, int]:
        return {"month": month, "day": day}

    status, body = call(app, "/count", {"month": "March"}, headers={"Accept-Language": "en"})
    assert status == 422
    assert body["code"] == "validation_error"
    assert body["message"] == "Please check what you entered."
    assert body["detail"] == [
        {"loc": ["query", "month"], "msg": "This value is not valid.", "type": "int_parsing"},
        {"loc": ["query", "day"], "msg": "This field is required.", "type": "missing"},
    ]


def test_me_without_claims_is_401_in_the_callers_language(handler):
    status, body = call(handler, "/me", {"lang": "pt"})
    assert (status, body["code"], body["message"]) == (401, "unauthorized", "Faça login.")


def test_unknown_route_is_404(handler):
    status, body = call(handler, "/nowhere")
    assert (status, body["code"]) == (404, "not_found")

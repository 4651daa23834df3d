"""Issue 13, flaw 8: a path parameter that is too long or not plain is 404 before any handler runs (it was
a 500 "file name too long" on /procedures/<251+ chars>/form and a 200 breaking the schema for "\\n")."""

import json

import pytest

from infra import catalogue
from infra.local.functions import LambdaContext, load_container
from infra.seed import procedures as seed_procedures
from madoguchi.shared.api import PATH_PARAMETER_MAX, make_resolver
from tests.fakes.procedures import MemoryProcedureStore


def event(path, resource, parameters):
    return {
        "resource": resource,
        "path": path,
        "httpMethod": "GET",
        "headers": {"Accept-Language": "en"},
        "multiValueHeaders": {},
        "queryStringParameters": None,
        "multiValueQueryStringParameters": None,
        "pathParameters": parameters,
        "requestContext": {"requestId": "r", "stage": "local", "resourcePath": resource, "httpMethod": "GET"},
        "body": None,
        "isBase64Encoded": False,
    }


@pytest.fixture
def reached():
    """A resolver whose handler records every id it is given."""
    app = make_resolver()
    seen: list[str] = []

    @app.get("/procedures/<procedureId>/form")
    def form(procedureId: str) -> dict[str, str]:
        seen.append(procedureId)
        return {"id": procedureId}

    return app, seen


@pytest.mark.parametrize(
    ("raw", "decoded"),
    [
        ("a" * (PATH_PARAMETER_MAX + 1), "a" * (PATH_PARAMETER_MAX + 1)),
        ("x" * 300, "x" * 300),
        ("%0A", "\n"),
        ("juminhyo%0A", "juminhyo\n"),
        ("%E4%BD%8F", "住"),
        ("a%2F..%2Fb", "a/../b"),
    ],
)
def test_a_long_or_unplain_path_parameter_never_reaches_the_handler(reached, raw, decoded):
    app, seen = reached
    response = app.resolve(
        event(f"/procedures/{raw}/form", "/procedures/{procedureId}/form", {"procedureId": decoded}), None
    )
    body = json.loads(response["body"])
    assert (response["statusCode"], body["code"], body["message"]) == (404, "not_found", body["message"])
    assert body["message"] and seen == []


def test_a_plain_id_at_the_limit_is_served(reached):
    app, seen = reached
    plain = "a" * PATH_PARAMETER_MAX
    response = app.resolve(
        event(f"/procedures/{plain}/form", "/procedures/{procedureId}/form", {"procedureId": plain}), None
    )
    assert response["statusCode"] == 200 and seen == [plain]


def test_the_procedure_handler_answers_404_for_a_newline_id(monkeypatch):
    module = load_container(catalogue.function("procedures"))
    monkeypatch.setattr(module, "procedure_store", lambda: MemoryProcedureStore(seed_procedures()))
    response = module.lambda_handler(
        event("/procedures/%0A", "/procedures/{procedureId}", {"procedureId": "\n"}),
        LambdaContext("procedures", 512, 10),
    )
    assert response["statusCode"] == 404 and json.loads(response["body"])["code"] == "not_found"

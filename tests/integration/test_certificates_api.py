"""The public check of a printed certificate through the local gateway: genuine, wrong code, unknown number,
revoked; never the resident's personal data (docs/certificates.md)."""

from __future__ import annotations

import io
import re
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from PIL import Image
from pypdf import PdfReader

from tests.integration.test_applications_flow import Api

pytestmark = pytest.mark.xdist_group("applications")


@pytest.fixture
def api(stack_url: str, auth_header: Callable[[str], dict[str, str]]) -> Api:
    return Api(stack_url, auth_header)


HANAKO = {
    "name": "市民 花子",
    "address": "三重県四日市市安島1丁目2番3号",
    "date_of_birth": "1990-09-30",
    "sex": "female",
}
PERSONAL = ("市民", "花子", "安島", "1990", "平成2年", "059-")


def issued_certificate(api: Api) -> tuple[str, str, str]:
    """A 住民票の写し requested at the kiosk from a card visit, approved and printed by 市民課: (number, code, text)."""
    visit = api.ok("POST", "/visits", "kiosk-1", HANAKO, **{"Idempotency-Key": uuid.uuid4().hex})
    answers = {"subject": "self", "copies": 1, "purpose": "bank", "delivery": "pickup", "phone": "059-354-8111"}
    request = api.ok(
        "POST", "/applications", "kiosk-1", {"procedure": "juminhyo", "visit_id": visit["id"], "answers": answers}
    )
    png = io.BytesIO()
    Image.new("RGB", (40, 30), (10, 10, 10)).save(png, "PNG")
    api.upload(request["id"], "kiosk-1", png.getvalue(), "image/png", kind="identity_document")
    api.ok("POST", f"/applications/{request['id']}/submit", "kiosk-1", {})
    api.ok("POST", f"/staff/applications/{request['id']}/decision", "staff-shimin", {"decision": "approve"})
    pdf = api.call("POST", f"/staff/applications/{request['id']}/certificate", "staff-shimin", {})
    assert pdf.status_code == 200, pdf.text
    text = "".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf.content)).pages)
    number = re.search(r"交付番号 (A\d{4}-\d{6})", text)
    code = re.search(r"照合番号 ([0-9A-F]{12})", text)
    assert number and code
    return number.group(1), code.group(1), text


def test_a_genuine_certificate_is_confirmed_without_personal_data(api: Api, stack_url: str) -> None:
    # Given a printed certificate
    number, code, text = issued_certificate(api)
    # Its QR code and printed address lead to the verify page of this deployment
    assert f"{stack_url}/verify/" in text
    # When a bank clerk types its number and code (lower case, with a hyphen, as people type)
    answer = api.call("GET", f"/certificates/{number}?code={code[:6].lower()}-{code[6:]}&lang=pt", None)
    # Then it is confirmed: kind, day, office in their language; nothing about the person
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert (body["issue_number"], body["kind"], body["status"], body["channel"]) == (
        number,
        "juminhyo",
        "valid",
        "kiosk",
    )
    assert body["office"] == "Divisão de Cidadãos" and body["title"] == "住民票の写し"
    assert not any(word in answer.text for word in PERSONAL)


def test_wrong_code_and_unknown_number_answer_the_same_404(api: Api) -> None:
    number, code, _ = issued_certificate(api)
    wrong = api.call("GET", f"/certificates/{number}?code={'0' * 12 if code != '0' * 12 else '1' * 12}", None)
    unknown = api.call("GET", f"/certificates/A1999-999999?code={code}", None)
    missing = api.call("GET", f"/certificates/{number}", None)
    crafted = api.call("GET", "/certificates/%2E%2E?code=x", None)
    assert wrong.status_code == unknown.status_code == missing.status_code == 404
    assert wrong.json() == unknown.json() == missing.json()
    assert wrong.json()["code"] == "certificate_not_found"
    assert crafted.status_code in (400, 404)


REASON = "氏名の記載誤り（市民 花子）のため再交付"


def test_only_the_issuing_department_looks_a_certificate_up_and_revokes_it(api: Api) -> None:
    number, code, _ = issued_certificate(api)
    staff_path, revoke_path = f"/staff/certificates/{number}", f"/staff/certificates/{number}/revoke"
    # Strangers, residents, devices and another department: refused, nothing read or changed
    for method, path, body in (("GET", staff_path, None), ("POST", revoke_path, {"reason": REASON})):
        assert api.call(method, path, None, body).status_code == 401
        assert api.call(method, path, "resident-2", body).status_code == 403
        assert api.call(method, path, "kiosk-1", body).status_code == 403
        other = api.call(method, path, "staff-zei", body, **{"Accept-Language": "en"})
        assert other.status_code == 403 and other.json()["code"] == "forbidden" and other.json()["message"]
    # Unknown, malformed (a path-traversal try included) and lower-case numbers
    for unknown in ("A1999-999999", "K2026-1", "A2026-000001-x"):
        missing = api.call("GET", f"/staff/certificates/{unknown}", "staff-shimin")
        assert missing.status_code == 404 and missing.json()["code"] == "certificate_not_found", missing.text
    assert api.call("GET", "/staff/certificates/..%2F..%2Fx", "staff-shimin").status_code in (400, 404)
    assert (
        api.call("POST", "/staff/certificates/A1999-999999/revoke", "staff-shimin", {"reason": REASON}).status_code
        == 404
    )
    # The issuing department reads its entry without the code (typed in lower case)
    entry = api.ok("GET", f"/staff/certificates/{number.lower()}?lang=en", "staff-shimin")
    assert (entry["issue_number"], entry["kind"], entry["status"], entry["office"], entry["channel"]) == (
        number,
        "juminhyo",
        "valid",
        "Citizens Division",
        "kiosk",
    )
    assert entry["reference"].startswith("application:") and entry["issued_at"]
    assert [(a["action"], a["by"]) for a in entry["audit"]] == [("viewed", "staff-shimin")]
    assert "code_sha256" not in entry and code not in str(entry)
    assert not any(word in str(entry) for word in PERSONAL)  # the entry itself names no one


@pytest.mark.parametrize(
    "body",
    [None, {}, {"reason": ""}, {"reason": "   "}, {"reason": "x" * 201}, {"reason": 7}],
    ids=["no-body", "no-reason", "empty", "blank", "too-long", "not-text"],
)
def test_a_revocation_without_a_reason_of_1_to_200_characters_is_refused_in_the_callers_language(
    api: Api, body: Any
) -> None:
    number, code, _ = issued_certificate(api)
    refused = api.call("POST", f"/staff/certificates/{number}/revoke?lang=en", "staff-shimin", body)
    assert refused.status_code == 422, refused.text
    assert refused.json()["code"] == "validation_error" and refused.json()["detail"][0]["msg"]
    ja = api.call("POST", f"/staff/certificates/{number}/revoke?lang=ja", "staff-shimin", body)
    assert ja.json()["message"] != refused.json()["message"]  # translated
    assert api.ok("GET", f"/certificates/{number}?code={code}", None)["status"] == "valid"  # nothing revoked


def test_revoked_with_a_reason_once_and_the_public_check_says_revoked_without_the_reason(api: Api) -> None:
    number, code, _ = issued_certificate(api)
    revoked = api.ok("POST", f"/staff/certificates/{number}/revoke", "staff-shimin", {"reason": f"  {REASON} "})
    assert (revoked["status"], revoked["revoked_by"], revoked["revoked_reason"]) == ("revoked", "staff-shimin", REASON)
    # A retried or second revocation keeps the first (time, clerk, reason) and answers it
    again = api.ok("POST", f"/staff/certificates/{number}/revoke", "staff-shimin", {"reason": "another"})
    assert (again["revoked_at"], again["revoked_reason"]) == (revoked["revoked_at"], REASON)
    entry = api.ok("GET", f"/staff/certificates/{number}", "staff-shimin")
    assert [a["action"] for a in entry["audit"]] == ["revoked", "viewed"]
    # The public check: revoked, on the day; nothing of the reason or who revoked it
    checked = api.call("GET", f"/certificates/{number}?code={code}", None)
    assert checked.status_code == 200 and checked.json()["status"] == "revoked" and checked.json()["revoked_on"]
    assert "記載誤り" not in checked.text and "staff-shimin" not in checked.text and "reason" not in checked.text

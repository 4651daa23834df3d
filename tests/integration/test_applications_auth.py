"""Who may do what with applications, through the gateway: anonymous 401, wrong role/department/device 403,
another resident's application 404 (not even its existence is told). Plus the e-mails residents receive."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import requests

pytestmark = pytest.mark.xdist_group("applications")

KODOMO = {"child_name": "市民 太郎", "child_date_of_birth": "2020-05-05", "insurance_type": "kokuho"}
VISIT = {"name": "四日 市子", "address": "三重県四日市市諏訪町1番5号", "date_of_birth": "1970-01-02", "sex": "female"}


@pytest.fixture(scope="module")
def call(stack_url: str, auth_header: Callable[[str], dict[str, str]]) -> Callable[..., requests.Response]:
    def do(method: str, path: str, user: str | None, body: Any = None) -> requests.Response:
        headers = auth_header(user) if user else {}
        return requests.request(method, f"{stack_url}{path}", json=body, headers=headers, timeout=30)

    return do


@pytest.fixture(scope="module")
def application(call: Callable[..., requests.Response]) -> dict[str, Any]:
    response = call("POST", "/applications", "resident-2", {"procedure": "kodomo-iryohi-josei", "answers": KODOMO})
    assert response.status_code == 200, response.text
    return dict(response.json())


def routes(app_id: str) -> list[tuple[str, str, Any]]:
    return [
        ("POST", "/applications", {"procedure": "kodomo-iryohi-josei"}),
        ("GET", f"/applications/{app_id}", None),
        ("PATCH", f"/applications/{app_id}", {"answers": {}}),
        ("POST", f"/applications/{app_id}/attachments", {"kind": "insurance_card", "content_type": "image/png"}),
        ("POST", f"/applications/{app_id}/submit", {}),
        ("POST", f"/applications/{app_id}/payment", None),
        ("POST", f"/applications/{app_id}/confirm", {"confirm": True}),
        ("GET", "/me/applications", None),
        ("POST", "/visits", VISIT),
        ("GET", "/staff/applications", None),
        ("GET", "/staff/applications/by-code/ABCDEFGH", None),
        ("POST", f"/staff/applications/{app_id}/decision", {"decision": "approve"}),
        ("POST", f"/staff/applications/{app_id}/accept", None),
        ("POST", f"/staff/applications/{app_id}/certificate", None),
        ("GET", "/staff/verifications", None),
        ("POST", f"/staff/applications/{app_id}/verifications/v-1/answer", {"answer": "ok"}),
    ]


def test_anonymous_callers_get_nothing(call, application):
    for method, path, body in routes(application["id"]):
        assert call(method, path, None, body).status_code == 401, (method, path)


# (user, method, path template, expected): each denial the issue asks for
DENIALS = [
    # another resident: the application does not exist for them
    ("resident-1", "GET", "/applications/{id}", 404),
    ("resident-1", "PATCH", "/applications/{id}", 404),
    ("resident-1", "POST", "/applications/{id}/attachments", 404),
    ("resident-1", "POST", "/applications/{id}/submit", 404),
    ("resident-1", "POST", "/applications/{id}/confirm", 404),
    # residents have no staff console and no card reader
    ("resident-2", "GET", "/staff/applications", 403),
    ("resident-2", "POST", "/staff/applications/{id}/decision", 403),
    ("resident-2", "POST", "/staff/applications/{id}/certificate", 403),
    ("resident-2", "GET", "/staff/verifications", 403),
    ("resident-2", "POST", "/visits", 403),
    # staff of another department
    ("staff-shimin", "GET", "/applications/{id}", 403),
    ("staff-shimin", "PATCH", "/applications/{id}", 403),
    ("staff-shimin", "POST", "/staff/applications/{id}/decision", 403),
    ("staff-zei", "POST", "/staff/applications/{id}/accept", 403),
    # staff do not change a resident's own draft
    ("staff-kodomo", "PATCH", "/applications/{id}", 403),
    ("staff-kodomo", "POST", "/applications/{id}/submit", 403),
    ("staff-kodomo", "GET", "/me/applications", 403),
    # a kiosk: prefill visits and certificate requests only
    ("kiosk-1", "GET", "/applications/{id}", 403),
    ("kiosk-1", "PATCH", "/applications/{id}", 403),
    ("kiosk-1", "GET", "/me/applications", 403),
    ("kiosk-1", "GET", "/staff/applications", 403),
    ("kiosk-1", "POST", "/staff/applications/{id}/decision", 403),
    ("kiosk-1", "POST", "/applications/{id}/confirm", 403),
    # a ticket machine: nothing here
    ("ticket-1", "POST", "/visits", 403),
    ("ticket-1", "GET", "/applications/{id}", 403),
]


def _body(method: str, path: str, app_id: str) -> Any:
    return next(b for m, p, b in routes(app_id) if m == method and p == path.format(id=app_id))


@pytest.mark.parametrize(("user", "method", "path", "status"), DENIALS)
def test_each_denial(call, application, user, method, path, status):
    response = call(method, path.format(id=application["id"]), user, _body(method, path, application["id"]))
    assert response.status_code == status, response.text
    assert response.json()["code"] in ("forbidden", "not_found")


def test_kiosk_may_not_start_a_benefit_or_an_application_without_a_visit(call):
    visit = call("POST", "/visits", "kiosk-1", VISIT).json()
    assert (
        call("POST", "/applications", "kiosk-1", {"procedure": "jido-teate", "visit_id": visit["id"]}).status_code
        == 403
    )
    missing = call("POST", "/applications", "kiosk-1", {"procedure": "juminhyo"})
    assert missing.status_code == 422 and missing.json()["detail"][0]["loc"] == ["body", "visit_id"]


def test_staff_may_not_open_a_procedure_of_another_department(call):
    assert call("POST", "/applications", "staff-zei", {"procedure": "juminhyo", "proxy": True}).status_code == 403


def test_a_resident_cannot_pass_as_proxy(call):
    response = call("POST", "/applications", "resident-1", {"procedure": "juminhyo", "proxy": True})
    assert response.status_code == 422


def test_status_mails_reach_the_outbox_without_personal_data(call, stack_url, application, local_stack):
    import io

    from PIL import Image

    from infra.local import s3_events

    png = io.BytesIO()
    Image.new("RGB", (8, 8)).save(png, "PNG")
    ticket = call(
        "POST",
        f"/applications/{application['id']}/attachments",
        "resident-2",
        {"kind": "insurance_card", "content_type": "image/png"},
    ).json()
    requests.post(ticket["url"], data=ticket["fields"], files={"file": ("p", png.getvalue(), "image/png")}, timeout=30)
    s3_events.drain()
    assert call("POST", f"/applications/{application['id']}/submit", "resident-2", {}).status_code == 200
    local_stack.streams.drain()  # the outbox worker sends the e-mail the submit owed
    outbox = requests.get(f"{stack_url}/_local/outbox", params={"to": "hanako@example.jp"}, timeout=10).json()
    mine = [m for m in outbox["messages"] if application["code"] in m["subject"]]
    assert mine and "申請を受け付けました" in mine[0]["subject"]
    assert f"/apply/?id={application['id']}" in mine[0]["body"]
    assert "市民 花子" not in mine[0]["body"] and "2020-05-05" not in mine[0]["body"]

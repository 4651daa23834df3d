"""Issue 13, found while injecting faults: a retried POST /visits stored the card's data twice, and
PUT /staff/facilities/{id} with an unknown id created a facility and no change was audit-logged. Flaw 7: a
retried thread message, verification question or upload request with the same Idempotency-Key files one."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import requests

from infra import catalogue
from infra.local import s3_events
from madoguchi.reservations.dynamodb import DynamoReservationStore
from tests.integration.reservations_helpers import fresh_day

VISIT = {"name": "四日 市子", "address": "三重県四日市市諏訪町1番5号", "date_of_birth": "1970-01-02", "sex": "female"}
STUDIO = "sakura-studio"


@pytest.fixture
def call(stack_url: str, auth_header: Callable[[str], dict[str, str]]) -> Callable[..., requests.Response]:
    def do(method: str, path: str, user: str, body: Any = None, key: str | None = None) -> requests.Response:
        headers = {**auth_header(user), **({"Idempotency-Key": key} if key else {})}
        return requests.request(method, f"{stack_url}{path}", json=body, headers=headers, timeout=30)

    return do


def test_a_retried_visit_with_the_same_key_is_the_first_visit(call: Callable[..., requests.Response]) -> None:
    key = uuid.uuid4().hex
    first = call("POST", "/visits", "kiosk-1", VISIT, key)
    again = call("POST", "/visits", "kiosk-1", VISIT, key)
    assert first.status_code == again.status_code == 200, again.text
    assert again.json() == first.json()
    # the key is the caller's own: another device or clerk with the same key opens its own visit
    other = call("POST", "/visits", "staff-shimin", VISIT, key)
    assert other.status_code == 200 and other.json()["id"] != first.json()["id"]
    # without a key, each POST is a visit
    assert call("POST", "/visits", "kiosk-1", VISIT).json()["id"] != first.json()["id"]


def test_the_openapi_documents_the_visits_idempotency_key(stack_url: str) -> None:
    document = requests.get(f"{stack_url}/openapi.json", timeout=30).json()
    assert "Idempotency-Key" in document["paths"]["/visits"]["post"]["description"]


def pre_registration() -> dict[str, Any]:
    """A resident's bereavement case three days after the death, awaiting identity (no workflow runs)."""
    day = (datetime.now(ZoneInfo("Asia/Tokyo")).date() - timedelta(days=3)).isoformat()
    subject = {"person_name": "四日市 一郎", "event_date": day, "applicant_name": "四日市 花子"}
    return {
        "event": "bereavement",
        "subject": {**subject, "relationship": "child", "phone": "059-354-0000"},
        "answers": {"was_taxpayer": True},
    }


def test_a_retried_message_or_question_on_a_case_is_filed_once(call: Callable[..., requests.Response]) -> None:
    case = call("POST", "/cases", "resident-1", pre_registration())
    assert case.status_code == 200, case.text
    path = f"/cases/{case.json()['id']}"
    for route, body in (
        ("thread", {"to_department": "zei", "text": "所得の確認をお願いします"}),
        ("verifications", {"department": "zei", "question": "滞納はありますか"}),
    ):
        key = uuid.uuid4().hex
        first = call("POST", f"{path}/{route}", "staff-onestop", body, key)
        again = call("POST", f"{path}/{route}", "staff-onestop", body, key)
        assert first.status_code == again.status_code == 200, again.text
        assert again.json() == first.json()
        # another clerk's same key is another message
        other = call("POST", f"{path}/{route}", "staff-zei", body, key)
        assert other.status_code == 200 and other.json()["id"] != first.json()["id"]
    record = call("GET", path, "staff-onestop").json()
    assert len(record["thread"]) == 2 and len(record["verifications"]) == 2
    asked = [e for e in record["timeline"] if e["action"] in ("message_posted", "verification_asked")]
    assert len(asked) == 4
    too_long = call("POST", f"{path}/thread", "staff-onestop", {"to_department": "zei", "text": "x"}, "k" * 101)
    assert too_long.status_code == 422
    assert len(call("GET", path, "staff-onestop").json()["thread"]) == 2


def test_a_retried_upload_request_is_one_attachment_until_its_file_is_checked(
    call: Callable[..., requests.Response],
) -> None:
    answers = {"child_name": "市民 太郎", "child_date_of_birth": "2020-05-05", "insurance_type": "kokuho"}
    draft = call("POST", "/applications", "resident-1", {"procedure": "kodomo-iryohi-josei", "answers": answers})
    assert draft.status_code == 200, draft.text
    path = f"/applications/{draft.json()['id']}"
    key, photo = uuid.uuid4().hex, {"kind": "insurance_card", "content_type": "image/png"}
    first = call("POST", f"{path}/attachments", "resident-1", photo, key)
    again = call("POST", f"{path}/attachments", "resident-1", photo, key)
    assert first.status_code == again.status_code == 200, again.text
    assert again.json()["attachment_id"] == first.json()["attachment_id"]
    assert again.json()["fields"]["key"] == first.json()["fields"]["key"]
    [pending] = call("GET", path, "resident-1").json()["attachments"]
    assert pending["id"] == first.json()["attachment_id"] and pending["status"] == "pending"
    # the file posted where the retry said, then checked: the same key now answers 409 and adds nothing
    ticket = again.json()
    posted = requests.post(
        ticket["url"], data=ticket["fields"], files={"file": ("x", b"not a png", "image/png")}, timeout=30
    )
    assert posted.status_code in (200, 204), posted.text
    s3_events.drain()
    assert call("POST", f"{path}/attachments", "resident-1", photo, key).status_code == 409
    [checked] = call("GET", path, "resident-1").json()["attachments"]
    assert checked["id"] == pending["id"] and checked["status"] == "rejected"


def test_an_unknown_facility_is_not_created_by_a_settings_change(call: Callable[..., requests.Response]) -> None:
    settings = call("GET", f"/staff/facilities/{STUDIO}", "staff-shisetsu").json()
    unknown = f"nowhere-{uuid.uuid4().hex[:8]}"
    refused = call("PUT", f"/staff/facilities/{unknown}", "staff-shisetsu", {**settings, "id": unknown})
    assert refused.status_code == 404, refused.text
    assert call("GET", f"/staff/facilities/{unknown}", "staff-shisetsu").status_code == 404
    assert unknown not in {f["id"] for f in call("GET", "/facilities", "resident-1").json()["facilities"]}
    store = DynamoReservationStore(catalogue.table("reservations").local_name)
    assert store.facility_changes(unknown) == []


def test_every_settings_change_is_audit_logged(call: Callable[..., requests.Response]) -> None:
    store = DynamoReservationStore(catalogue.table("reservations").local_name)
    settings = call("GET", f"/staff/facilities/{STUDIO}", "staff-shisetsu").json()
    before = len(store.facility_changes(STUDIO))
    changed = {**settings, "max_open": settings["max_open"] + 1}
    try:
        assert call("PUT", f"/staff/facilities/{STUDIO}", "staff-shisetsu", changed).status_code == 200
        # the same settings again change nothing and log nothing
        assert call("PUT", f"/staff/facilities/{STUDIO}", "staff-shisetsu", changed).status_code == 200
        changes = store.facility_changes(STUDIO)[before:]
        assert [(c.actor, c.fields) for c in changes] == [("staff-shisetsu", ("max_open",))]
        # a refused change is not logged
        assert call("PUT", f"/staff/facilities/{STUDIO}", "staff-shimin", settings).status_code == 403
        assert len(store.facility_changes(STUDIO)) == before + 1
    finally:
        assert call("PUT", f"/staff/facilities/{STUDIO}", "staff-shisetsu", settings).status_code == 200


def test_every_closure_is_audit_logged_and_a_refused_one_logs_nothing(call: Callable[..., requests.Response]) -> None:
    # Given a far day of a facility few tests book (a closure stays: no other test uses that day)
    facility = "tokiwa-center"
    day = fresh_day(150 + uuid.uuid4().int % 150, closed_weekdays=(6,))
    store = DynamoReservationStore(catalogue.table("reservations").local_name)
    before = len(store.facility_changes(facility))
    closures = f"/staff/facilities/{facility}/closures"
    # When the closure is refused (another department, a past day, an unknown facility) nothing is logged
    assert call("POST", closures, "staff-zei", {"date": day.isoformat(), "reason": "点検"}).status_code == 403
    past = call("POST", closures, "staff-shisetsu", {"date": "2020-01-06", "reason": "点検"})
    assert past.status_code == 422, past.text
    unknown = f"nowhere-{uuid.uuid4().hex[:8]}"
    body = {"date": day.isoformat(), "reason": "点検"}
    refused = call("POST", f"/staff/facilities/{unknown}/closures", "staff-shisetsu", body)
    assert refused.status_code == 404
    assert len(store.facility_changes(facility)) == before and store.facility_changes(unknown) == []
    # When staff of 施設管理課 close the day, the closure is logged with who, the day and the reason
    closed = call("POST", closures, "staff-shisetsu", {"date": day.isoformat(), "reason": "設備点検"})
    assert closed.status_code == 200, closed.text
    changes = store.facility_changes(facility)[before:]
    assert [(c.actor, c.action, c.fields, c.day, c.reason) for c in changes] == [
        ("staff-shisetsu", "closure", ("closed_dates",), day, "設備点検")
    ]
    assert day.isoformat() in call("GET", f"/staff/facilities/{facility}", "staff-shisetsu").json()["closed_dates"]

"""Issue 13, found while injecting faults: a retried POST /visits stored the card's data twice, and
PUT /staff/facilities/{id} with an unknown id created a facility and no change was audit-logged."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest
import requests

from infra import catalogue
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

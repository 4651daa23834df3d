"""Devices through the local gateway, the same code path as the cloud: a manager enrols a ticket machine and a
kiosk, each redeems its one-time code for its own device-pool user (the local provider answers Cognito's admin
API), works, renews, and is refused from its next request once revoked."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import requests

from infra.local.stack import LocalStack

MANAGER = "staff-kanri"


class Api:
    def __init__(self, url: str, auth_header: Callable[[str], dict[str, str]]) -> None:
        self.url = url
        self.auth_header = auth_header

    def staff(
        self, method: str, path: str, user: str = MANAGER, headers: dict[str, str] | None = None, **kwargs: Any
    ) -> requests.Response:
        headers = {**self.auth_header(user), **(headers or {})}
        return requests.request(method, self.url + path, headers=headers, timeout=30, **kwargs)

    def device(self, method: str, path: str, token: str, **kwargs: Any) -> requests.Response:
        headers = {"Authorization": f"Bearer {token}", "Accept-Language": "pt"}
        return requests.request(method, self.url + path, headers=headers, timeout=30, **kwargs)

    def enrol(self, kind: str, label: str = "test") -> dict[str, Any]:
        response = self.staff("POST", "/staff/devices", json={"kind": kind, "label": label, "location": "1F"})
        assert response.status_code == 200, response.text
        return dict(response.json())

    def redeem(self, code: str, kind: str) -> requests.Response:
        return requests.post(f"{self.url}/devices/enrol", json={"code": code, "kind": kind}, timeout=30)


@pytest.fixture(scope="module")
def api(stack_url: str, auth_header: Callable[[str], dict[str, str]]) -> Api:
    return Api(stack_url, auth_header)


def first_counter(api: Api) -> tuple[str, str]:
    counters = requests.get(f"{api.url}/queues", timeout=30).json()["counters"]
    return counters[0]["id"], counters[0]["services"][0]["id"]


def test_ticket_machine_works_after_enrolment_and_stops_after_revocation(api: Api, local_stack: LocalStack):
    # Given a manager enrolled a ticket machine
    enrolment = api.enrol("ticket_machine", "入口の発券機")
    device_id = enrolment["device"]["id"]
    assert enrolment["device"]["status"] == "pending"
    assert enrolment["enrol_url"] == f"{api.url}/ticket-machine/#enrol={enrolment['code']}"
    # When the machine redeems its code
    redeemed = api.redeem(enrolment["code"], "ticket_machine")
    assert redeemed.status_code == 200, redeemed.text
    session = redeemed.json()
    token = session["id_token"]
    # Then it issues tickets with its own token, which names its kind and id
    me = api.device("GET", "/devices/me?kind=ticket_machine", token)
    assert me.status_code == 200 and me.json()["id"] == device_id
    counter, service = first_counter(api)
    ticket = api.device("POST", f"/queues/{counter}/tickets", token, json={"service": service})
    assert ticket.status_code == 200, ticket.text
    # and renews its token while enrolled
    renewed = requests.post(
        f"{api.url}/devices/token", json={"device_id": device_id, "refresh_token": session["refresh_token"]}, timeout=30
    )
    assert renewed.status_code == 200, renewed.text
    assert api.device("GET", "/devices/me", renewed.json()["id_token"]).status_code == 200
    # When the manager revokes it
    revoked = api.staff("POST", f"/staff/devices/{device_id}/revoke")
    assert revoked.status_code == 200 and revoked.json()["status"] == "revoked"
    assert revoked.json()["identity_disabled"] is True
    # Then its next request is refused with a translated 401, its token not yet expired
    refused = api.device("POST", f"/queues/{counter}/tickets", token, json={"service": service})
    assert refused.status_code == 401
    assert refused.json()["code"] == "device_not_enrolled"
    assert "terminal" in refused.json()["message"]  # Portuguese, as asked
    assert api.device("GET", "/devices/me", token).status_code == 401
    # and it cannot renew
    again = requests.post(
        f"{api.url}/devices/token", json={"device_id": device_id, "refresh_token": session["refresh_token"]}, timeout=30
    )
    assert again.status_code == 401 and again.json()["code"] == "device_not_enrolled"
    # and the trail says who did what
    detail = api.staff("GET", f"/staff/devices/{device_id}").json()
    assert [(a["action"], a["by"]) for a in detail["audit"]] == [
        ("enrol", MANAGER),
        ("redeem", device_id),
        ("revoke", MANAGER),
    ]


def test_kiosk_works_after_enrolment_and_stops_after_revocation(api: Api):
    enrolment = api.enrol("kiosk", "市民課前キオスク")
    token = api.redeem(enrolment["code"], "kiosk").json()["id_token"]
    opened = api.device("POST", "/kiosk/sessions", token, json={})
    assert opened.status_code == 200, opened.text
    api.staff("POST", f"/staff/devices/{enrolment['device']['id']}/revoke")
    refused = api.device("POST", "/kiosk/sessions", token, json={})
    assert refused.status_code == 401 and refused.json()["code"] == "device_not_enrolled"


def test_a_device_of_the_wrong_kind_is_refused(api: Api):
    ticket = api.enrol("ticket_machine")
    # a kiosk page refuses a ticket machine's code (and leaves it usable)
    wrong = api.redeem(ticket["code"], "kiosk")
    assert wrong.status_code == 403 and wrong.json()["code"] == "device_wrong_kind"
    token = api.redeem(ticket["code"], "ticket_machine").json()["id_token"]
    # a ticket machine's token opens no kiosk session, and a kiosk page does not take it
    assert api.device("POST", "/kiosk/sessions", token, json={}).status_code == 403
    assert api.device("GET", "/devices/me?kind=kiosk", token).json()["code"] == "device_wrong_kind"
    # and a kiosk's token is not a ticket machine page's
    kiosk = api.enrol("kiosk")
    kiosk_token = api.redeem(kiosk["code"], "kiosk").json()["id_token"]
    assert api.device("GET", "/devices/me?kind=ticket_machine", kiosk_token).status_code == 403


def test_a_code_is_redeemed_once_even_by_two_devices_at_the_same_time(api: Api):
    enrolment = api.enrol("ticket_machine")
    with ThreadPoolExecutor(max_workers=2) as pool:
        answers = list(pool.map(lambda _: api.redeem(enrolment["code"], "ticket_machine"), range(2)))
    assert sorted(a.status_code for a in answers) == [200, 401]
    reused = api.redeem(enrolment["code"], "ticket_machine")
    assert reused.status_code == 401 and reused.json()["code"] == "enrolment_code_invalid"


def test_a_retried_enrolment_is_one_device_whose_latest_code_alone_enrols(api: Api):
    key = {"Idempotency-Key": str(uuid.uuid4())}
    body = {"kind": "ticket_machine", "label": "retry", "location": "1F"}
    first, again = (api.staff("POST", "/staff/devices", json=body, headers=key) for _ in range(2))
    assert first.status_code == again.status_code == 200, again.text
    device_id = first.json()["device"]["id"]
    assert again.json()["device"]["id"] == device_id and again.json()["code"] != first.json()["code"]
    listed = api.staff("GET", "/staff/devices").json()["devices"]
    assert [d["id"] for d in listed].count(device_id) == 1
    assert api.redeem(first.json()["code"], "ticket_machine").status_code == 401  # the first code is void
    assert api.redeem(again.json()["code"], "ticket_machine").status_code == 200
    late = api.staff("POST", "/staff/devices", json=body, headers=key)  # enrolled by now: nothing to redo
    assert late.status_code == 409, late.text
    detail = api.staff("GET", f"/staff/devices/{device_id}").json()
    assert detail["device"]["status"] == "active"


def test_unknown_and_malformed_codes_are_refused_cleanly(api: Api):
    assert api.redeem("ZZZZ-ZZZZ-ZZZZ-ZZZZ", "ticket_machine").status_code == 401
    assert api.redeem("", "kiosk").status_code == 422
    assert api.redeem("x" * 41, "kiosk").status_code == 422
    assert api.redeem("ABCD", "printer").status_code == 422
    forged = requests.post(
        f"{api.url}/devices/token", json={"device_id": "ticket-1", "refresh_token": "forged"}, timeout=30
    )
    assert forged.status_code == 401


@pytest.mark.parametrize("user", ["staff-shimin", "staff-onestop", "resident-1", "ticket-1", "kiosk-1"])
def test_only_managers_enrol_list_and_revoke(api: Api, user: str):
    body = {"kind": "kiosk", "label": "x", "location": "y"}
    assert api.staff("POST", "/staff/devices", user, json=body).status_code == 403
    assert api.staff("GET", "/staff/devices", user).status_code == 403
    assert api.staff("POST", "/staff/devices/kiosk-1/revoke", user).status_code == 403
    assert requests.post(f"{api.url}/staff/devices", json=body, timeout=30).status_code == 401
    # the demo kiosk is still enrolled
    assert api.staff("GET", "/staff/devices/kiosk-1").json()["device"]["status"] == "active"


def test_the_list_shows_enrolled_devices_without_their_codes(api: Api):
    enrolment = api.enrol("kiosk", "一覧テスト")
    listed = api.staff("GET", "/staff/devices")
    assert listed.status_code == 200
    ids = [d["id"] for d in listed.json()["devices"]]
    assert enrolment["device"]["id"] in ids and "kiosk-1" in ids and "ticket-1" in ids
    assert enrolment["code"] not in listed.text
    assert api.staff("GET", "/staff/devices/kiosk-999999").status_code == 404
    assert api.staff("POST", "/staff/devices/kiosk-999999/revoke").status_code == 404

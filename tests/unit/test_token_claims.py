"""The pre-token-generation trigger puts role, department and device_kind into the ID token."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from typing import Any

import pytest

from madoguchi.shared.departments import DEPARTMENTS

ROOT = Path(__file__).resolve().parents[2]
EVENTS = ROOT / "events" / "cognito"


def _load_handler() -> Any:
    spec = importlib.util.spec_from_file_location(
        "token_claims_handler", ROOT / "functions" / "token_claims" / "handler.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


handler = _load_handler()


def _event(name: str) -> dict[str, Any]:
    return json.loads((EVENTS / name).read_text(encoding="utf-8"))


def _claims(event: dict[str, Any]) -> dict[str, str]:
    return event["response"]["claimsOverrideDetails"]["claimsToAddOrOverride"]


@pytest.fixture(autouse=True)
def department_groups(monkeypatch):
    """What the auth stack passes: the staff pool's department groups."""
    monkeypatch.setenv("DEPARTMENTS", ",".join(DEPARTMENTS))


def test_resident_gets_the_resident_role_only(monkeypatch):
    monkeypatch.setenv("ROLE", "resident")
    result = handler.lambda_handler(_event("pre-token-resident.json"), None)
    assert _claims(result) == {"role": "resident"}


def test_staff_department_is_the_first_department_group(monkeypatch):
    # Given a staff member in a non-department group, then hoken, then onestop
    monkeypatch.setenv("ROLE", "staff")
    result = handler.lambda_handler(_event("pre-token-staff.json"), None)
    # Then the first department group wins and other groups are ignored
    assert _claims(result) == {"role": "staff", "department": "hoken"}


def test_staff_claims_are_added_on_token_refresh_too(monkeypatch):
    monkeypatch.setenv("ROLE", "staff")
    result = handler.lambda_handler(_event("pre-token-staff-refresh.json"), None)
    assert _claims(result) == {"role": "staff", "department": "onestop"}


def test_staff_without_department_group_gets_no_department(monkeypatch):
    monkeypatch.setenv("ROLE", "staff")
    event = _event("pre-token-staff.json")
    event["request"]["groupConfiguration"]["groupsToOverride"] = ["mentors"]
    assert _claims(handler.lambda_handler(event, None)) == {"role": "staff"}


@pytest.mark.parametrize(
    ("sample", "kind"),
    [("pre-token-device-kiosk.json", "kiosk"), ("pre-token-device-ticket-machine.json", "ticket_machine")],
)
def test_device_kind_comes_from_the_custom_attribute(monkeypatch, sample, kind):
    monkeypatch.setenv("ROLE", "device")
    event = _event(sample)
    result = handler.lambda_handler(event, None)
    # device_id is the user name the enrolment gave the device: the API checks that record on every request
    assert _claims(result) == {"role": "device", "device_kind": kind, "device_id": event["userName"]}


def test_device_without_a_user_name_is_refused_a_token(monkeypatch):
    monkeypatch.setenv("ROLE", "device")
    event = _event("pre-token-device-kiosk.json")
    del event["userName"]
    with pytest.raises(ValueError, match="user name"):
        handler.lambda_handler(event, None)


@pytest.mark.parametrize("kind", [None, "", "printer"])
def test_device_without_a_known_kind_is_refused_a_token(monkeypatch, kind):
    monkeypatch.setenv("ROLE", "device")
    event = _event("pre-token-device-kiosk.json")
    if kind is None:
        del event["request"]["userAttributes"]["custom:device_kind"]
    else:
        event["request"]["userAttributes"]["custom:device_kind"] = kind
    with pytest.raises(ValueError, match="device_kind"):
        handler.lambda_handler(event, None)


def test_role_is_taken_from_the_pool_not_from_user_attributes(monkeypatch):
    # Given a resident who somehow carries staff-looking data
    monkeypatch.setenv("ROLE", "resident")
    event = _event("pre-token-resident.json")
    event["request"]["userAttributes"]["custom:device_kind"] = "kiosk"
    event["request"]["groupConfiguration"]["groupsToOverride"] = ["shimin"]
    # Then only the pool's role is added
    assert _claims(handler.lambda_handler(event, None)) == {"role": "resident"}


def test_existing_overrides_are_kept(monkeypatch):
    monkeypatch.setenv("ROLE", "resident")
    event = _event("pre-token-resident.json")
    event["response"]["claimsOverrideDetails"] = {"claimsToAddOrOverride": {"locale": "pt"}}
    assert _claims(handler.lambda_handler(event, None)) == {"locale": "pt", "role": "resident"}


@pytest.mark.parametrize("role", ["", "admin"])
def test_misconfigured_role_fails_closed(monkeypatch, role):
    monkeypatch.setenv("ROLE", role)
    with pytest.raises(ValueError, match="ROLE"):
        handler.lambda_handler(_event("pre-token-resident.json"), None)

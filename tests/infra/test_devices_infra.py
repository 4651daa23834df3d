"""Devices in the cloud: the devices table, the device routes (public redeem and renew, signed-in the rest), the
enrolment client (admin password sign-in only, no OAuth, no secret), and a devices function that may manage the
device pool's users and nothing else; the functions that serve devices read the device records."""

from __future__ import annotations

import json
from typing import Any

from aws_cdk import Stack
from aws_cdk.assertions import Template

from infra import catalogue
from infra.app import Madoguchi
from infra.stacks.api import DEVICE_POOL_ADMIN


def _logical_id(construct: Any) -> str:
    return str(Stack.of(construct).get_logical_id(construct.node.default_child))


def _policy_text(madoguchi: Madoguchi, function: str) -> str:
    api = Template.from_stack(madoguchi.api)
    role = madoguchi.api.functions[function].role
    assert role is not None
    role_ref = {"Ref": _logical_id(role)}
    policies = [p for p in api.find_resources("AWS::IAM::Policy").values() if role_ref in p["Properties"]["Roles"]]
    return json.dumps([p["Properties"]["PolicyDocument"] for p in policies])


def test_the_devices_table_exists_with_its_ttl(madoguchi: Madoguchi, synth_templates: dict[str, Any]):
    table = synth_templates["MadoguchiData"]["Resources"][_logical_id(madoguchi.data.tables["devices"])]
    assert table["Type"] == "AWS::DynamoDB::Table"
    assert table["Properties"]["TimeToLiveSpecification"] == {"AttributeName": "ttl", "Enabled": True}
    assert [k["AttributeName"] for k in table["Properties"]["KeySchema"]] == ["pk", "sk"]


def test_device_routes_exist_and_only_redeem_and_renew_are_public(madoguchi: Madoguchi):
    routes = {(r.method, r.path): r for r, fn in catalogue.routes() if fn.name == "devices"}
    assert set(routes) == {
        ("POST", "/staff/devices"),
        ("GET", "/staff/devices"),
        ("GET", "/staff/devices/{deviceId}"),
        ("POST", "/staff/devices/{deviceId}/revoke"),
        ("POST", "/devices/enrol"),
        ("POST", "/devices/token"),
        ("GET", "/devices/me"),
    }
    public = {key for key, r in routes.items() if not r.authenticated}
    assert public == {("POST", "/devices/enrol"), ("POST", "/devices/token")}
    for method, path in routes:
        construct = madoguchi.api.methods[(path, method)]
        template = Template.from_stack(Stack.of(construct)).to_json()
        props = template["Resources"][_logical_id(construct)]["Properties"]
        expected = "NONE" if (method, path) in public else "COGNITO_USER_POOLS"
        assert props["AuthorizationType"] == expected, (method, path)


def test_the_enrolment_client_signs_devices_in_server_side_only(madoguchi: Madoguchi, synth_templates: dict[str, Any]):
    auth = synth_templates["MadoguchiAuth"]["Resources"]
    client = auth[_logical_id(madoguchi.auth.device_enrolment)]["Properties"]
    assert client["UserPoolId"] == {"Ref": _logical_id(madoguchi.auth.devices)}
    assert set(client["ExplicitAuthFlows"]) == {"ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"}
    assert client.get("AllowedOAuthFlowsUserPoolClient") in (None, False)
    assert "CallbackURLs" not in client
    assert client["GenerateSecret"] is False
    assert client["EnableTokenRevocation"] is True


def test_the_devices_function_manages_only_the_device_pool(madoguchi: Madoguchi, synth_templates: dict[str, Any]):
    text = _policy_text(madoguchi, "devices")
    for action in DEVICE_POOL_ADMIN:
        assert action in text
    assert "AdminDeleteUser" not in text and "cognito-idp:*" not in text
    pool = _logical_id(madoguchi.auth.devices)
    statements = [
        s
        for p in json.loads(text)
        for s in p["Statement"]
        if any(
            str(a).startswith("cognito-idp:") for a in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])
        )
    ]
    assert len(statements) == 1 and pool in json.dumps(statements[0]["Resource"])
    for other in ("ResidentPool", "StaffPool"):
        assert other not in json.dumps(statements[0]["Resource"])
    env = synth_templates["MadoguchiApi"]["Resources"][_logical_id(madoguchi.api.functions["devices"])]["Properties"][
        "Environment"
    ]["Variables"]
    assert {"DEVICE_USER_POOL_ID", "DEVICE_CLIENT_ID", "DEVICES_TABLE"} <= set(env)
    assert _logical_id(madoguchi.auth.device_enrolment) in json.dumps(env["DEVICE_CLIENT_ID"])


def test_functions_that_serve_devices_read_the_device_records(madoguchi: Madoguchi):
    table = _logical_id(madoguchi.data.tables["devices"])
    for name in ("queue", "kiosk", "applications"):
        assert table in _policy_text(madoguchi, name), name
        assert "cognito-idp" not in _policy_text(madoguchi, name), name


def test_the_token_trigger_names_the_device(madoguchi: Madoguchi):
    import importlib

    handler = importlib.import_module("functions.token_claims.handler")
    claims = handler.claims_for("device", {"custom:device_kind": "kiosk"}, [], (), "kiosk-0a1b2c3d4e5f")
    assert claims == {"role": "device", "device_kind": "kiosk", "device_id": "kiosk-0a1b2c3d4e5f"}
